/**
 * The audited system calls: 72 syscalls in the ten classes of the SRI container-stability design (process,
 * set-uid family, network, file and directory access, kernel modules, process/app virtualisation, fd replication,
 * file attributes, mounts, ioctl). Each has its own counter in the activity vector; each class has a total.
 *
 * How the 72 were chosen. The classes are the syscall groups that host audit rule sets watch (the Linux audit
 * `-S` rules of the CIS/STIG benchmarks and of widely used auditd rule collections: exec, privilege change,
 * network, file create/delete/rename, module load, namespaces, mounts, permission and ownership changes), because
 * those are the calls through which a compromise shows: a shell or miner is an exec and a clone; an escape is a
 * setns/unshare/mount/pivot_root; privilege escalation is the set-uid family and capset; persistence and tampering
 * are file creation, renames, links, chmod/chown and xattrs; rootkits load modules; reverse shells are a
 * socket/connect followed by dup2 onto stdin/stdout (fd replication); ioctl covers TTY and device tricks.
 * Within a class we keep every modern variant of a call (openat2, clone3, renameat2, accept4, execveat, dup3)
 * so an attacker cannot step around a counter by using the newer syscall. Deliberately left out: read/write and
 * the other high-volume I/O calls (they dominate counts and drown the signal; their file activity is still
 * counted by path class), and getters (getuid, stat...), which change nothing.
 *
 * The set-uid family counts `setgroups` in its class total and each 32-bit-uid i386 variant (`setuid32`,
 * `chown32`, ...) as its base call. Calls that belong to a class but get no counter of their own (the list must
 * stay 72 and stable) add to the class total only: the i386 `socketcall` multiplexer (network), `kexec_load`
 * (kernel modules), the rest of the xattr family and the timestamp setters (file attributes), the new mount API
 * and the old `umount` (mounts), `open_by_handle_at` (file access, the classic container-escape call).
 *
 * The order below is the order of the vector's `sc_*` features and is part of the schema: never reorder; append
 * only with a schema version bump.
 */

export const SYSCALL_CLASSES = [
  'process',
  'setuid',
  'network',
  'file',
  'module',
  'virtualization',
  'fd',
  'attribute',
  'mount',
  'ioctl',
] as const;
export type SyscallClass = (typeof SYSCALL_CLASSES)[number];

/** The 72 audited syscalls by class, in schema order. */
export const AUDITED_BY_CLASS: Readonly<Record<SyscallClass, readonly string[]>> = {
  // 12: process creation, execution, signalling, termination, tracing
  process: ['execve', 'execveat', 'fork', 'vfork', 'clone', 'clone3', 'kill', 'tkill', 'tgkill', 'exit', 'exit_group', 'ptrace'],
  // 9: identity and capability changes
  setuid: ['setuid', 'setgid', 'setreuid', 'setregid', 'setresuid', 'setresgid', 'setfsuid', 'setfsgid', 'capset'],
  // 12: sockets, connections, datagrams
  network: ['socket', 'connect', 'accept', 'accept4', 'bind', 'listen', 'sendto', 'recvfrom', 'sendmsg', 'recvmsg', 'socketpair', 'shutdown'],
  // 18: open/create, delete, rename, directories, links, truncation
  file: [
    'open', 'openat', 'openat2', 'creat', 'unlink', 'unlinkat', 'rename', 'renameat', 'renameat2',
    'mkdir', 'mkdirat', 'rmdir', 'link', 'linkat', 'symlink', 'symlinkat', 'truncate', 'ftruncate',
  ],
  // 3: loading and removing kernel modules
  module: ['init_module', 'finit_module', 'delete_module'],
  // 4: namespaces and root changes (what container runtimes, and container escapes, use)
  virtualization: ['unshare', 'setns', 'chroot', 'pivot_root'],
  // 3: descriptor duplication (shell redirection onto sockets)
  fd: ['dup', 'dup2', 'dup3'],
  // 8: permissions, ownership, extended attributes (file capabilities live in security.capability)
  attribute: ['chmod', 'fchmod', 'fchmodat', 'chown', 'fchown', 'fchownat', 'lchown', 'setxattr'],
  // 2
  mount: ['mount', 'umount2'],
  // 1
  ioctl: ['ioctl'],
};

/** The 72 names in schema order. */
export const AUDITED_SYSCALLS: readonly string[] = SYSCALL_CLASSES.flatMap((c) => AUDITED_BY_CLASS[c]);

/** Calls that count toward a class total without a counter of their own. */
export const CLASS_ONLY: Readonly<Record<string, SyscallClass>> = {
  setgroups: 'setuid',
  socketcall: 'network',
  kexec_load: 'module',
  kexec_file_load: 'module',
  create_module: 'module',
  lsetxattr: 'attribute',
  fsetxattr: 'attribute',
  removexattr: 'attribute',
  lremovexattr: 'attribute',
  fremovexattr: 'attribute',
  fchmodat2: 'attribute',
  utime: 'attribute',
  utimes: 'attribute',
  utimensat: 'attribute',
  futimesat: 'attribute',
  umount: 'mount',
  fsopen: 'mount',
  fsconfig: 'mount',
  fsmount: 'mount',
  fspick: 'mount',
  move_mount: 'mount',
  open_tree: 'mount',
  open_by_handle_at: 'file',
  procexit: 'process',
};

/** Architecture variants folded onto a base name before counting (i386 32-bit uid calls, 64-bit file sizes). */
export const SYSCALL_ALIASES: Readonly<Record<string, string>> = {
  lchown32: 'lchown',
  chown32: 'chown',
  fchown32: 'fchown',
  setuid32: 'setuid',
  setgid32: 'setgid',
  setreuid32: 'setreuid',
  setregid32: 'setregid',
  setresuid32: 'setresuid',
  setresgid32: 'setresgid',
  setfsuid32: 'setfsuid',
  setfsgid32: 'setfsgid',
  setgroups32: 'setgroups',
  truncate64: 'truncate',
  ftruncate64: 'ftruncate',
};

export interface SyscallInfo {
  /** Canonical name (aliases folded). */
  name: string;
  /** Index in AUDITED_SYSCALLS, or -1. */
  audited: number;
  /** Index in SYSCALL_CLASSES, or -1 (not in any class). */
  cls: number;
}

const ALIAS = new Map(Object.entries(SYSCALL_ALIASES));
const AUDITED_INDEX = new Map(AUDITED_SYSCALLS.map((n, i) => [n, i]));
const CLASS_OF = new Map<string, number>();
SYSCALL_CLASSES.forEach((c, ci) => AUDITED_BY_CLASS[c].forEach((n) => CLASS_OF.set(n, ci)));
for (const [n, c] of Object.entries(CLASS_ONLY)) CLASS_OF.set(n, SYSCALL_CLASSES.indexOf(c));

/** Where a syscall name lands in the vector. */
export function syscallInfo(raw: string): SyscallInfo {
  const name = ALIAS.get(raw) ?? raw;
  return { name, audited: AUDITED_INDEX.get(name) ?? -1, cls: CLASS_OF.get(name) ?? -1 };
}
