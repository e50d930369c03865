/**
 * NSL-KDD (KDDTrain+/KDDTest+): no header, 41 features, the label, and UNB's difficulty score (optional: 42-field
 * files are accepted). protocol_type, service and flag are categorical; difficulty is kept as an identifier because
 * it is derived from classifiers' success on the row and must never be a feature.
 */
import type { HeadRow } from '../csv/stream.js';
import { DATA_EXTENSIONS, type Column, type FileLayout, type FormatSpec } from '../table/layout.js';

export const NSLKDD_FEATURES = [
  'duration', 'protocol_type', 'service', 'flag', 'src_bytes', 'dst_bytes', 'land', 'wrong_fragment', 'urgent',
  'hot', 'num_failed_logins', 'logged_in', 'num_compromised', 'root_shell', 'su_attempted', 'num_root',
  'num_file_creations', 'num_shells', 'num_access_files', 'num_outbound_cmds', 'is_host_login', 'is_guest_login',
  'count', 'srv_count', 'serror_rate', 'srv_serror_rate', 'rerror_rate', 'srv_rerror_rate', 'same_srv_rate',
  'diff_srv_rate', 'srv_diff_host_rate', 'dst_host_count', 'dst_host_srv_count', 'dst_host_same_srv_rate',
  'dst_host_diff_srv_rate', 'dst_host_same_src_port_rate', 'dst_host_srv_diff_host_rate', 'dst_host_serror_rate',
  'dst_host_srv_serror_rate', 'dst_host_rerror_rate', 'dst_host_srv_rerror_rate',
] as const;

export const NSLKDD_CATEGORICAL: ReadonlySet<string> = new Set(['protocol_type', 'service', 'flag']);

export function nslkddLayout(file: string, head: HeadRow[]): FileLayout {
  // Files without difficulty have 42 fields; anything else is judged row by row as 43.
  const fieldCount = head[0].fields.length === 42 ? 42 : 43;
  const numeric: Column[] = [];
  const categorical: Column[] = [];
  NSLKDD_FEATURES.forEach((name, index) => (NSLKDD_CATEGORICAL.has(name) ? categorical : numeric).push({ name, index }));
  return {
    file,
    fieldCount,
    hasHeader: false,
    numeric,
    categorical,
    ids: [{ name: 'difficulty', index: fieldCount === 43 ? 42 : -1 }],
    label: { name: 'label', index: 41 },
    ignored: [],
  };
}

export const nslkddFormat: FormatSpec = {
  type: 'nslkdd',
  hasHeader: false,
  extensions: DATA_EXTENSIONS,
  layout: nslkddLayout,
};
