// The FUSE ceiling: a fuse-native filesystem that serves files from memory,
// with the kernel caching InfinStor uses for past views. Whatever a
// fuse-native mount can do on this machine, this does with no work per op.
// Usage: node memfs-daemon.js MANIFEST.json MOUNTPOINT
import { readFileSync } from 'node:fs'
import Fuse from 'fuse-native'

interface Manifest { files: Array<{ path: string, size: number, mtime: number }> }

interface Node { dir: boolean, size: number, mtime: Date, children: string[] }

const [manifestFile, mountpoint] = process.argv.slice(2)
const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest
const nodes = new Map<string, Node>([['/', { dir: true, size: 4096, mtime: new Date(0), children: [] }]])

function add (path: string, node: Node): void {
  const slash = path.lastIndexOf('/')
  const parent = slash === 0 ? '/' : path.slice(0, slash)
  if (!nodes.has(parent)) add(parent, { dir: true, size: 4096, mtime: node.mtime, children: [] })
  nodes.get(parent)?.children.push(path.slice(slash + 1))
  nodes.set(path, node)
}
for (const f of manifest.files) add('/' + f.path, { dir: false, size: f.size, mtime: new Date(f.mtime), children: [] })

// Every file's bytes are a prefix of one shared buffer.
const content = Buffer.alloc(Math.max(0, ...manifest.files.map(f => f.size)), 0x5a)
const uid = process.getuid?.() ?? 0
const gid = process.getgid?.() ?? 0

function stat (n: Node): object {
  return { mtime: n.mtime, atime: n.mtime, ctime: n.mtime, size: n.size, mode: n.dir ? 0o40555 : 0o100444, uid, gid, nlink: n.dir ? 2 : 1 }
}

const fuse = new Fuse(mountpoint, {
  getattr: (path, cb) => {
    const n = nodes.get(path)
    n === undefined ? cb(Fuse.ENOENT) : cb(0, stat(n))
  },
  readdir: (path, cb) => {
    const n = nodes.get(path)
    if (n === undefined || !n.dir) return cb(Fuse.ENOENT)
    cb(0, n.children, n.children.map(c => stat(nodes.get(path === '/' ? '/' + c : path + '/' + c) as Node)))
  },
  open: (path, _flags, cb) => { nodes.has(path) ? cb(0, 1) : cb(Fuse.ENOENT) },
  release: (_path, _fd, cb) => { cb(0) },
  read: (path, _fd, buf, len, pos, cb) => {
    const size = nodes.get(path)?.size ?? 0
    const end = Math.min(size, pos + len)
    cb(end > pos ? content.copy(buf, 0, pos, end) : 0)
  }
}, { kernelCache: true, entryTimeout: 3600, attrTimeout: 3600, force: true })

fuse.mount(err => {
  if (err !== null) {
    process.stderr.write(`memfs: cannot mount ${mountpoint}: ${err.message}\n`)
    process.exit(1)
  }
})
const stop = (): void => { fuse.unmount(() => process.exit(0)) }
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
