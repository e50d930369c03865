/**
 * Classifiers of the summarizer: destination ports, file paths, and the workload group of a container. Prefix and
 * substring tests only (paths and names are attacker-influenced; no regular expressions).
 */

/**
 * Ports that are rarely legitimate from a workload and common in attacks: Metasploit defaults (4444, 4445),
 * mining stratum pools (3333, 5555, 7777, 14433, 14444, 45560, 45700), IRC botnet C2 (6666-6669, 6697),
 * "leet" backdoors (1337, 31337), Bitcoin P2P (8333), and 9999.
 */
export const RISKY_PORTS: readonly number[] = [1337, 3333, 4444, 4445, 5555, 6666, 6667, 6668, 6669, 6697, 7777, 8333, 9999, 14433, 14444, 31337, 45560, 45700];
const RISKY = new Set(RISKY_PORTS);

/** Index into PORT_CLASSES: 0 wellknown, 1 registered, 2 ephemeral, 3 risky, 4 noport. */
export function portClass(port: number): number {
  if (!(port > 0 && port <= 65535)) return 4;
  if (RISKY.has(port)) return 3;
  if (port < 1024) return 0;
  if (port < 49152) return 1;
  return 2;
}

const SECRET_NAMES = ['id_rsa', 'id_dsa', 'id_ecdsa', 'id_ed25519'];
/** Secret locations by absolute prefix (checked only for paths under /var, /run, /etc). */
const SECRET_PREFIXES = [
  '/var/run/secrets/', // Kubernetes service-account tokens, CSI secrets
  '/var/lib/kubelet/pki/',
  '/run/secrets/',
  '/etc/kubernetes/', // admin.conf, kubelet.conf, pki
  '/etc/shadow',
  '/etc/gshadow',
  '/etc/sudoers',
  '/etc/ssh/ssh_host_',
];
/** Secret locations anywhere in a path (all start with "/.", tested only when the path has one). */
const SECRET_PARTS = ['/.ssh/', '/.kube/', '/.aws/', '/.docker/config.json', '/.gnupg/'];

function isSecret(p: string): boolean {
  const c1 = p.charCodeAt(1);
  if (c1 === 118 || c1 === 114 || c1 === 101) {
    for (const s of SECRET_PREFIXES) if (p.startsWith(s)) return true;
  }
  if (p.indexOf('/.') >= 0) {
    for (const s of SECRET_PARTS) if (p.includes(s)) return true;
    if (p.endsWith('/.kube')) return true;
  }
  const slash = p.lastIndexOf('/');
  if (p.startsWith('id_', slash + 1)) {
    for (const n of SECRET_NAMES) if (p.startsWith(n, slash + 1)) return true;
  }
  return false;
}

const under = (p: string, dir: string): boolean => p.startsWith(dir) && (p.length === dir.length || p.charCodeAt(dir.length) === 47);

/**
 * Index into PATH_CLASSES for an absolute path, -1 for anything else (sockets, pipes, relative names):
 * 0 secrets (service-account tokens, kubeconfigs, SSH keys, shadow/sudoers, cluster PKI), 1 `/etc`,
 * 2 `/tmp`, `/var/tmp`, `/dev/shm`, 3 `/proc`, `/sys`, 4 `/bin`, `/sbin`, `/usr`, `/lib*`, 5 other.
 */
export function pathClass(p: string): number {
  if (p.length === 0 || p.charCodeAt(0) !== 47) return -1;
  if (isSecret(p)) return 0;
  switch (p.charCodeAt(1)) {
    case 101: // e
      return under(p, '/etc') ? 1 : 5;
    case 116: // t
      return under(p, '/tmp') ? 2 : 5;
    case 118: // v
      return under(p, '/var/tmp') ? 2 : 5;
    case 100: // d
      return under(p, '/dev/shm') ? 2 : 5;
    case 112: // p
      return under(p, '/proc') ? 3 : 5;
    case 115: // s
      return under(p, '/sys') ? 3 : under(p, '/sbin') ? 4 : 5;
    case 98: // b
      return under(p, '/bin') ? 4 : 5;
    case 117: // u
      return under(p, '/usr') ? 4 : 5;
    case 108: // l
      return under(p, '/lib') || under(p, '/lib64') || under(p, '/lib32') || under(p, '/libx32') ? 4 : 5;
    default:
      return 5;
  }
}

/**
 * Image reference without registry defaults, tag and digest: `docker.io/library/nginx:1.25@sha256:..` -> `nginx`,
 * `quay.io/isovalent/app:latest` -> `quay.io/isovalent/app`. Pods of one image share a baseline whatever the tag.
 */
export function normalizeImage(image: string): string {
  let s = image;
  const at = s.indexOf('@');
  if (at >= 0) s = s.slice(0, at);
  const slash = s.lastIndexOf('/');
  const colon = s.lastIndexOf(':');
  if (colon > slash) s = s.slice(0, colon);
  if (s.startsWith('docker.io/')) s = s.slice(10);
  if (s.startsWith('library/')) s = s.slice(8);
  return s;
}

/** Kubernetes' random-suffix alphabet (k8s.io/apimachinery rand.String): no vowels, no 0/1/3. */
const SAFE = 'bcdfghjklmnpqrstvwxz2456789';

function safeSuffix(s: string, min: number, max: number): boolean {
  if (s.length < min || s.length > max) return false;
  for (let i = 0; i < s.length; i++) if (!SAFE.includes(s[i])) return false;
  return true;
}

/**
 * The workload a pod belongs to, from its name: Deployment pods `name-<rs hash>-<5>` -> `name`, DaemonSet/Job pods
 * `name-<5>` -> `name`, StatefulSet pods `name-<ordinal>` -> `name`; other names stay as they are.
 */
export function workloadOf(pod: string): string {
  const parts = pod.split('-');
  if (parts.length < 2) return pod;
  if (safeSuffix(parts[parts.length - 1], 5, 5)) {
    parts.pop();
    if (parts.length >= 2 && safeSuffix(parts[parts.length - 1], 6, 10)) parts.pop();
    return parts.join('-');
  }
  const last = parts[parts.length - 1];
  let digits = last.length > 0;
  for (let i = 0; i < last.length; i++) if (last.charCodeAt(i) < 48 || last.charCodeAt(i) > 57) digits = false;
  if (digits) parts.pop();
  return parts.join('-');
}

export type GroupBy = 'image' | 'workload' | 'container';

/**
 * The baseline group of a container: with `image` (default) the normalised image, else `namespace/workload`,
 * else the container id; with `workload` the workload first, then the image; with `container` the container id.
 */
export function groupKey(groupBy: GroupBy, containerId: string, image: string, pod: string, namespace: string): string {
  if (groupBy === 'container') return containerId;
  const img = image ? normalizeImage(image) : '';
  const wl = pod ? `${namespace}/${workloadOf(pod)}` : '';
  if (groupBy === 'workload') return wl || img || containerId;
  return img || wl || containerId;
}
