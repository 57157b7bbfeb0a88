#!/bin/sh
# sh first-look.sh BIN N: a moto with bucket 'prof' (first-look-setup.py), then N fresh
# mounts by BIN (bin/infinstor of a build), page cache dropped, each looked into once.
set -e
BIN=$1; N=${2:-3}; HERE=$(dirname "$0"); PORT=45999
[ -f /tmp/first-look-at ] || { (PYTHONPATH=$HERE/../../moto-patch moto_server -H 127.0.0.1 -p $PORT > /dev/null 2>&1 &); sleep 3; python3 $HERE/first-look-setup.py > /tmp/first-look-at; }
AT=$(cat /tmp/first-look-at)
for i in $(seq $N); do
  M=$(mktemp -d /tmp/infinstor-first-look-XXXX)
  AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 node $BIN mount $M --bucket prof --endpoint http://127.0.0.1:$PORT --no-serve --foreground > /dev/null 2>&1 & PID=$!
  while ! mountpoint -q $M; do sleep 0.05; done
  echo 3 > /proc/sys/vm/drop_caches
  python3 $HERE/first-look.py $M $AT
  kill $PID; wait $PID || true; rmdir $M
done
