/**
 * Kernel function and tracepoint names (Tetragon `process_kprobe` / `process_tracepoint`) to syscall names.
 * Syscall entry points lose their architecture and wrapper prefixes (`__x64_sys_openat` -> `openat`,
 * `__ia32_compat_sys_execve` -> `execve`, `ksys_read` -> `read`, `do_sys_openat2` -> `openat2`); compiler
 * suffixes (`.isra.0`, `.constprop.0`) go. Every other kernel function (`security_file_permission`, `tcp_connect`,
 * `fd_install`) keeps its own name: it is a hook, not a syscall, and the summarizer counts it as such.
 */

const PREFIXES = [
  '__x64_sys_',
  '__ia32_compat_sys_',
  '__ia32_sys_',
  '__x32_compat_sys_',
  '__arm64_compat_sys_',
  '__arm64_sys_',
  '__riscv_sys_',
  '__s390x_sys_',
  '__s390_sys_',
  '__se_sys_',
  '__do_sys_',
  '__sys_',
  'do_sys_',
  'ksys_',
  'sys_',
];

export function functionToSyscall(name: string): string {
  const dot = name.indexOf('.');
  const base = dot > 0 ? name.slice(0, dot) : name;
  for (const p of PREFIXES) {
    if (base.length > p.length && base.startsWith(p)) return base.slice(p.length);
  }
  return base;
}

/**
 * A tracepoint to an event type and direction: `syscalls/sys_enter_openat` -> `openat` entry; other tracepoints
 * keep `subsys/event` (`sched/sched_process_exec`, `raw_syscalls/sys_enter`).
 */
export function tracepointToSyscall(subsys: string, event: string): { syscall: string; dir: '>' | '<' | '' } {
  if (subsys === 'syscalls') {
    if (event.startsWith('sys_enter_')) return { syscall: event.slice(10), dir: '>' };
    if (event.startsWith('sys_exit_')) return { syscall: event.slice(9), dir: '<' };
  }
  return { syscall: subsys ? `${subsys}/${event}` : event, dir: '' };
}
