{{/* Chart name, overridable. */}}
{{- define "peregrine.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Release-qualified name; the release name alone when it already contains the chart name. */}}
{{- define "peregrine.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (default .Chart.Name .Values.nameOverride) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (default .Chart.Name .Values.nameOverride) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "peregrine.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{ include "peregrine.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: peregrine
{{- end -}}

{{- define "peregrine.selectorLabels" -}}
app.kubernetes.io/name: {{ include "peregrine.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "peregrine.image" -}}
{{ .Values.image.repository }}:{{ default .Chart.AppVersion .Values.image.tag }}
{{- end -}}

{{- define "peregrine.secretName" -}}
{{- default (include "peregrine.fullname" .) .Values.secrets.existingSecret -}}
{{- end -}}

{{/* Environment shared by hub and agent: token and bus token from the Secret, never in the ConfigMap. */}}
{{- define "peregrine.commonEnv" -}}
- name: PEREGRINE_TOKEN_FILE
  value: /etc/peregrine/secret/token
- name: PEREGRINE_DATA_DIR
  value: /var/lib/peregrine
- name: PEREGRINE_BUS_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ include "peregrine.secretName" . }}
      key: bus-token
      optional: true
{{- end -}}

{{- define "peregrine.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
{{- end -}}
