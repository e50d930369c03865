/**
 * The 32-bit x86 (i386) system call table, numbers 0-439, as in Linux `arch/x86/entry/syscalls/syscall_32.tbl`
 * (`asm/unistd_32.h`). ADFA-LD traces were recorded on 32-bit Ubuntu 11.04 and use these numbers (not x86-64 and
 * not asm-generic). Written out here from the kernel's table; numbers with no syscall (222, 223, 251, 285, 387-392
 * are taken below, 415 is unused) map to `sys_<n>`. The 32-bit-uid variants keep their table names (`chown32`,
 * `setuid32`); the summarizer folds them onto the base names.
 */

// Index = syscall number. '' = unused slot.
const TABLE_0_386 = [
  'restart_syscall', 'exit', 'fork', 'read', 'write', 'open', 'close', 'waitpid', 'creat', 'link', // 0-9
  'unlink', 'execve', 'chdir', 'time', 'mknod', 'chmod', 'lchown', 'break', 'oldstat', 'lseek', // 10-19
  'getpid', 'mount', 'umount', 'setuid', 'getuid', 'stime', 'ptrace', 'alarm', 'oldfstat', 'pause', // 20-29
  'utime', 'stty', 'gtty', 'access', 'nice', 'ftime', 'sync', 'kill', 'rename', 'mkdir', // 30-39
  'rmdir', 'dup', 'pipe', 'times', 'prof', 'brk', 'setgid', 'getgid', 'signal', 'geteuid', // 40-49
  'getegid', 'acct', 'umount2', 'lock', 'ioctl', 'fcntl', 'mpx', 'setpgid', 'ulimit', 'oldolduname', // 50-59
  'umask', 'chroot', 'ustat', 'dup2', 'getppid', 'getpgrp', 'setsid', 'sigaction', 'sgetmask', 'ssetmask', // 60-69
  'setreuid', 'setregid', 'sigsuspend', 'sigpending', 'sethostname', 'setrlimit', 'getrlimit', 'getrusage', 'gettimeofday', 'settimeofday', // 70-79
  'getgroups', 'setgroups', 'select', 'symlink', 'oldlstat', 'readlink', 'uselib', 'swapon', 'reboot', 'readdir', // 80-89
  'mmap', 'munmap', 'truncate', 'ftruncate', 'fchmod', 'fchown', 'getpriority', 'setpriority', 'profil', 'statfs', // 90-99
  'fstatfs', 'ioperm', 'socketcall', 'syslog', 'setitimer', 'getitimer', 'stat', 'lstat', 'fstat', 'olduname', // 100-109
  'iopl', 'vhangup', 'idle', 'vm86old', 'wait4', 'swapoff', 'sysinfo', 'ipc', 'fsync', 'sigreturn', // 110-119
  'clone', 'setdomainname', 'uname', 'modify_ldt', 'adjtimex', 'mprotect', 'sigprocmask', 'create_module', 'init_module', 'delete_module', // 120-129
  'get_kernel_syms', 'quotactl', 'getpgid', 'fchdir', 'bdflush', 'sysfs', 'personality', 'afs_syscall', 'setfsuid', 'setfsgid', // 130-139
  '_llseek', 'getdents', '_newselect', 'flock', 'msync', 'readv', 'writev', 'getsid', 'fdatasync', '_sysctl', // 140-149
  'mlock', 'munlock', 'mlockall', 'munlockall', 'sched_setparam', 'sched_getparam', 'sched_setscheduler', 'sched_getscheduler', 'sched_yield', 'sched_get_priority_max', // 150-159
  'sched_get_priority_min', 'sched_rr_get_interval', 'nanosleep', 'mremap', 'setresuid', 'getresuid', 'vm86', 'query_module', 'poll', 'nfsservctl', // 160-169
  'setresgid', 'getresgid', 'prctl', 'rt_sigreturn', 'rt_sigaction', 'rt_sigprocmask', 'rt_sigpending', 'rt_sigtimedwait', 'rt_sigqueueinfo', 'rt_sigsuspend', // 170-179
  'pread64', 'pwrite64', 'chown', 'getcwd', 'capget', 'capset', 'sigaltstack', 'sendfile', 'getpmsg', 'putpmsg', // 180-189
  'vfork', 'ugetrlimit', 'mmap2', 'truncate64', 'ftruncate64', 'stat64', 'lstat64', 'fstat64', 'lchown32', 'getuid32', // 190-199
  'getgid32', 'geteuid32', 'getegid32', 'setreuid32', 'setregid32', 'getgroups32', 'setgroups32', 'fchown32', 'setresuid32', 'getresuid32', // 200-209
  'setresgid32', 'getresgid32', 'chown32', 'setuid32', 'setgid32', 'setfsuid32', 'setfsgid32', 'pivot_root', 'mincore', 'madvise', // 210-219
  'getdents64', 'fcntl64', '', '', 'gettid', 'readahead', 'setxattr', 'lsetxattr', 'fsetxattr', 'getxattr', // 220-229
  'lgetxattr', 'fgetxattr', 'listxattr', 'llistxattr', 'flistxattr', 'removexattr', 'lremovexattr', 'fremovexattr', 'tkill', 'sendfile64', // 230-239
  'futex', 'sched_setaffinity', 'sched_getaffinity', 'set_thread_area', 'get_thread_area', 'io_setup', 'io_destroy', 'io_getevents', 'io_submit', 'io_cancel', // 240-249
  'fadvise64', '', 'exit_group', 'lookup_dcookie', 'epoll_create', 'epoll_ctl', 'epoll_wait', 'remap_file_pages', 'set_tid_address', 'timer_create', // 250-259
  'timer_settime', 'timer_gettime', 'timer_getoverrun', 'timer_delete', 'clock_settime', 'clock_gettime', 'clock_getres', 'clock_nanosleep', 'statfs64', 'fstatfs64', // 260-269
  'tgkill', 'utimes', 'fadvise64_64', 'vserver', 'mbind', 'get_mempolicy', 'set_mempolicy', 'mq_open', 'mq_unlink', 'mq_timedsend', // 270-279
  'mq_timedreceive', 'mq_notify', 'mq_getsetattr', 'kexec_load', 'waitid', '', 'add_key', 'request_key', 'keyctl', 'ioprio_set', // 280-289
  'ioprio_get', 'inotify_init', 'inotify_add_watch', 'inotify_rm_watch', 'migrate_pages', 'openat', 'mkdirat', 'mknodat', 'fchownat', 'futimesat', // 290-299
  'fstatat64', 'unlinkat', 'renameat', 'linkat', 'symlinkat', 'readlinkat', 'fchmodat', 'faccessat', 'pselect6', 'ppoll', // 300-309
  'unshare', 'set_robust_list', 'get_robust_list', 'splice', 'sync_file_range', 'tee', 'vmsplice', 'move_pages', 'getcpu', 'epoll_pwait', // 310-319
  'utimensat', 'signalfd', 'timerfd_create', 'eventfd', 'fallocate', 'timerfd_settime', 'timerfd_gettime', 'signalfd4', 'eventfd2', 'epoll_create1', // 320-329
  'dup3', 'pipe2', 'inotify_init1', 'preadv', 'pwritev', 'rt_tgsigqueueinfo', 'perf_event_open', 'recvmmsg', 'fanotify_init', 'fanotify_mark', // 330-339
  'prlimit64', 'name_to_handle_at', 'open_by_handle_at', 'clock_adjtime', 'syncfs', 'sendmmsg', 'setns', 'process_vm_readv', 'process_vm_writev', 'kcmp', // 340-349
  'finit_module', 'sched_setattr', 'sched_getattr', 'renameat2', 'seccomp', 'getrandom', 'memfd_create', 'bpf', 'execveat', 'socket', // 350-359
  'socketpair', 'bind', 'connect', 'listen', 'accept4', 'getsockopt', 'setsockopt', 'getsockname', 'getpeername', 'sendto', // 360-369
  'sendmsg', 'recvfrom', 'recvmsg', 'shutdown', 'userfaultfd', 'membarrier', 'mlock2', 'copy_file_range', 'preadv2', 'pwritev2', // 370-379
  'pkey_mprotect', 'pkey_alloc', 'pkey_free', 'statx', 'arch_prctl', 'io_pgetevents', 'rseq', // 380-386
];

const TABLE_393_439: Record<number, string> = {
  393: 'semget', 394: 'semctl', 395: 'shmget', 396: 'shmctl', 397: 'shmat', 398: 'shmdt', 399: 'msgget', 400: 'msgsnd',
  401: 'msgrcv', 402: 'msgctl', 403: 'clock_gettime64', 404: 'clock_settime64', 405: 'clock_adjtime64',
  406: 'clock_getres_time64', 407: 'clock_nanosleep_time64', 408: 'timer_gettime64', 409: 'timer_settime64',
  410: 'timerfd_gettime64', 411: 'timerfd_settime64', 412: 'utimensat_time64', 413: 'pselect6_time64',
  414: 'ppoll_time64', 416: 'io_pgetevents_time64', 417: 'recvmmsg_time64', 418: 'mq_timedsend_time64',
  419: 'mq_timedreceive_time64', 420: 'semtimedop_time64', 421: 'rt_sigtimedwait_time64', 422: 'futex_time64',
  423: 'sched_rr_get_interval_time64', 424: 'pidfd_send_signal', 425: 'io_uring_setup', 426: 'io_uring_enter',
  427: 'io_uring_register', 428: 'open_tree', 429: 'move_mount', 430: 'fsopen', 431: 'fsconfig', 432: 'fsmount',
  433: 'fspick', 434: 'pidfd_open', 435: 'clone3', 436: 'close_range', 437: 'openat2', 438: 'pidfd_getfd', 439: 'faccessat2',
};

/** i386 syscall names by number (`sys_<n>` for numbers without a syscall). */
export const I386_SYSCALLS: readonly string[] = Array.from({ length: 440 }, (_, n) => {
  const name = n < TABLE_0_386.length ? TABLE_0_386[n] : TABLE_393_439[n];
  return name ? name : `sys_${n}`;
});

/** The name of i386 syscall `n` (`sys_<n>` when unknown or out of range). */
export function i386Name(n: number): string {
  return n >= 0 && n < I386_SYSCALLS.length ? I386_SYSCALLS[n] : `sys_${n}`;
}
