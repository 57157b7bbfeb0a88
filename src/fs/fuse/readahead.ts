import { readFile, writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { Log } from '../../config/log.js'

/** The kernel's own readahead for a FUSE mount, which libfuse 2 cannot raise. */
export const KERNEL_DEFAULT_KIB = 128

/** mountinfo writes space, tab, newline and backslash in a path as octal escapes. */
function unescape (field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)))
}

/**
 * The device (`major:minor`) mounted at `mountpoint`, from the text of
 * /proc/self/mountinfo; the last entry wins, as a later mount hides an earlier one.
 */
export function deviceOf (mountinfo: string, mountpoint: string): string | undefined {
  let device: string | undefined
  for (const line of mountinfo.split('\n')) {
    const fields = line.split(' ')
    if (fields.length > 4 && unescape(fields[4]) === mountpoint) device = fields[2]
  }
  return device
}

/**
 * Sets how far the kernel reads ahead of a sequential reader of this mount.
 * Under libfuse 2 the kernel reads at most 128 KiB per FUSE request, and
 * by default reads ahead only as far, so a sequential reader has one read
 * in flight: any moment this process's one thread spends on other work
 * (taking in a burst of GET bytes) stalls the reader. A larger readahead
 * keeps several reads queued. The INIT reply cannot raise it (the kernel
 * keeps the smaller of the two); the mount's entry in /sys/class/bdi can,
 * and only root may write it. Reading the device from mountinfo, not by
 * stat of the mount point, keeps this process out of its own FUSE calls.
 */
export async function setKernelReadahead (mountpoint: string, kib: number, log: Log): Promise<void> {
  if (kib === KERNEL_DEFAULT_KIB || kib === 0) return
  try {
    const device = deviceOf(await readFile('/proc/self/mountinfo', 'utf8'), resolve(mountpoint))
    if (device === undefined) throw new Error(`${mountpoint} is not in /proc/self/mountinfo`)
    await writeFile(`/sys/class/bdi/${device}/read_ahead_kb`, String(kib))
  } catch (e) {
    const why = (e as { code?: string }).code === 'EACCES' ? 'only root may set it' : (e as Error).message
    log.info(`kernel readahead stays at ${KERNEL_DEFAULT_KIB} KiB, not the ${kib} KiB asked (${why})`)
  }
}
