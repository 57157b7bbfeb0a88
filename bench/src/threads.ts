import { readdirSync, readFileSync } from 'node:fs'

/** Clock ticks per second of /proc's CPU times (USER_HZ; 100 on Linux). */
const HZ = 100

/** User and system CPU-seconds of one process or thread. */
export interface Cpu { user: number, system: number }

/** Fields of a /proc stat line after the command name (which may hold spaces). */
function statFields (text: string): string[] {
  return text.slice(text.lastIndexOf(')') + 2).trim().split(' ')
}

/** CPU a process has used so far, all its threads included; undefined once it is gone. */
export function processCpu (pid: number): Cpu | undefined {
  try {
    const f = statFields(readFileSync(`/proc/${pid}/stat`, 'utf8'))
    // utime and stime are fields 14 and 15; the slice starts at field 3.
    return { user: Number(f[11]) / HZ, system: Number(f[12]) / HZ }
  } catch {
    return undefined
  }
}

/** Minor page faults of a process so far (all its threads). */
export function minorFaults (pid: number): number {
  try {
    return Number(statFields(readFileSync(`/proc/${pid}/stat`, 'utf8'))[7])
  } catch {
    return NaN
  }
}

/** CPU used by the children a process has waited for (cutime, cstime). */
export function childrenCpu (statLine: string): Cpu {
  const f = statFields(statLine)
  return { user: Number(f[13]) / HZ, system: Number(f[14]) / HZ }
}

/** The thread ids of a process; none once it is gone. */
function threadIds (pid: number): string[] {
  try {
    return readdirSync(`/proc/${pid}/task`)
  } catch {
    return []
  }
}

/** A thread's name, from its stat line. */
function nameOf (stat: string): string {
  return stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
}

/** Per-thread CPU of a process, by thread id, with each thread's name. */
export function threadCpu (pid: number): Map<number, Cpu & { name: string }> {
  const out = new Map<number, Cpu & { name: string }>()
  for (const tid of threadIds(pid)) {
    try {
      const text = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
      const f = statFields(text)
      out.set(Number(tid), { name: nameOf(text), user: Number(f[11]) / HZ, system: Number(f[12]) / HZ })
    } catch {}
  }
  return out
}

/** Sums CPU over several processes (a system may run more than one daemon). */
export function sumCpu (pids: number[]): Cpu {
  let user = 0
  let system = 0
  for (const pid of pids) {
    const c = processCpu(pid)
    if (c !== undefined) { user += c.user; system += c.system }
  }
  return { user, system }
}

/** CPU used between two readings of the same processes. */
export function cpuBetween (before: Cpu, after: Cpu): Cpu {
  return { user: after.user - before.user, system: after.system - before.system }
}

/** CPU-seconds all cores spent busy and in all, machine-wide (/proc/stat): how loaded the machine was. */
export function machineCpu (): { busy: number, total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number)
  const total = fields.slice(0, 8).reduce((a, b) => a + b, 0) / HZ
  // idle and iowait are not busy.
  return { busy: total - (fields[3] + fields[4]) / HZ, total }
}

/**
 * Milliseconds so far in which some runnable task waited for a CPU,
 * machine-wide (/proc/pressure/cpu, "some"); undefined without PSI.
 */
export function cpuPressureMs (): number | undefined {
  try {
    const some = readFileSync('/proc/pressure/cpu', 'utf8').split('\n').find(l => l.startsWith('some '))
    const total = /total=(\d+)/.exec(some ?? '')
    return total === null ? undefined : Number(total[1]) / 1000
  } catch {
    return undefined
  }
}

/** Milliseconds each thread of a process has spent runnable but waiting for a CPU (schedstat), by thread id. */
export function threadWaitMs (pid: number): Map<number, { name: string, waitMs: number }> {
  const out = new Map<number, { name: string, waitMs: number }>()
  for (const tid of threadIds(pid)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
      const [, waitNs] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').trim().split(' ').map(Number)
      out.set(Number(tid), { name: nameOf(stat), waitMs: waitNs / 1e6 })
    } catch {}
  }
  return out
}
