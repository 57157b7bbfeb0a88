/**
 * glibc's malloc setting for a mount daemon (the `huge-pages` setting): back
 * its heap, block memory included, with transparent huge pages where the
 * kernel gives them on request (THP "madvise", the default of many
 * distributions). A daemon fills fresh block memory as it first reads, and
 * each page it maps costs a fault: on some VMs a dear one (on 2026-12-04's
 * bench machine, a guest whose page faults trap to its hypervisor, 66k 4 KiB
 * faults took half the time of a 256 MiB whole-file fetch). glibc reads the
 * setting only when a process starts, so it is given to the daemon a mount
 * spawns; a GLIBC_TUNABLES of the user's own that names hugetlb is kept.
 */
const TUNABLE = 'glibc.malloc.hugetlb'

/** True when `env` already says whether glibc's heap takes huge pages. */
export function namesHugePages (env: NodeJS.ProcessEnv): boolean {
  return (env.GLIBC_TUNABLES ?? '').split(':').some(t => t.startsWith(`${TUNABLE}=`))
}

/** The environment of a mount's daemon: `env`, asking for huge pages when `hugePages` and the user said nothing. */
export function daemonEnv (env: NodeJS.ProcessEnv, hugePages: boolean): NodeJS.ProcessEnv {
  if (!hugePages || namesHugePages(env)) return env
  const tunables = env.GLIBC_TUNABLES ?? ''
  return { ...env, GLIBC_TUNABLES: tunables === '' ? `${TUNABLE}=1` : `${tunables}:${TUNABLE}=1` }
}
