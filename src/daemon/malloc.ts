/**
 * glibc's malloc setting for a mount daemon: back the heap with transparent
 * huge pages where the kernel gives them on request (THP "madvise", the
 * default of many distributions). A daemon fills fresh block memory as it
 * first reads, and on these VMs each 4 KiB page faulted in is dear: a cold
 * read of 256 MiB in a fresh mount took 1.26 CPU-s without it and 0.87
 * with it, 1,000 random reads (the file fetched whole) 2.23 CPU-s and 3.1 s
 * against 0.91 CPU-s and 1.6 s (paired runs of bench/src/readprof.ts).
 * glibc reads it only when a process starts, so it is given to the daemon
 * a mount spawns; a setting of the user's own is kept.
 */
const HUGE_PAGES = 'glibc.malloc.hugetlb=1'

export function daemonEnv (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const tunables = env.GLIBC_TUNABLES ?? ''
  if (tunables.includes('glibc.malloc.hugetlb=')) return env
  return { ...env, GLIBC_TUNABLES: tunables === '' ? HUGE_PAGES : `${tunables}:${HUGE_PAGES}` }
}
