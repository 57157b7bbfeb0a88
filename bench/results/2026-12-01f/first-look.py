# The first look into a fresh mount, step by step: python3 first-look.py MOUNT AT
# (MOUNT holds bucket 'prof' with big.bin's versions; AT a time between them).
import os, sys, time
base, at = sys.argv[1], sys.argv[2]
steps = []
def timed(what, f):
    t0 = time.perf_counter(); r = f(); steps.append(f'{what} {1000 * (time.perf_counter() - t0):.0f} ms'); return r
for p in ['prof', 'prof/@' + at, 'prof/@' + at + '/big.bin']:
    timed('stat ' + p.replace('prof/@' + at, '@T'), lambda: os.stat(os.path.join(base, p)))
fd = timed('open', lambda: os.open(os.path.join(base, 'prof/@' + at + '/big.bin'), os.O_RDONLY))
timed('first 128 KiB', lambda: os.read(fd, 131072))
print(', '.join(steps))
