"""Runs notebook cells in a real IPython kernel through jupyter_client; prints what each cell did as JSON.

    python kernel_run.py new            < cells.json   # a kernel of its own (python3), shut down after
    python kernel_run.py connect FILE   < cells.json   # a running kernel, by its connection file

cells.json is a list of code strings. The output is a list, per cell, of
{"stdout", "stderr", "result", "error": {"ename", "evalue", "traceback"} | null}.
"""

import json
import sys

from jupyter_client import BlockingKernelClient, KernelManager


def run(client, code):
    out = {"stdout": "", "stderr": "", "result": None, "error": None}

    def hook(msg):
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream":
            out[content["name"]] += content["text"]
        elif kind == "execute_result":
            out["result"] = content["data"].get("text/plain")
        elif kind == "error":
            out["error"] = {"ename": content["ename"], "evalue": content["evalue"], "traceback": content["traceback"]}

    reply = client.execute_interactive(code, output_hook=hook, timeout=300)
    if reply["content"]["status"] == "error" and out["error"] is None:
        c = reply["content"]
        out["error"] = {"ename": c.get("ename", ""), "evalue": c.get("evalue", ""), "traceback": c.get("traceback", [])}
    return out


def main():
    cells = json.load(sys.stdin)
    if sys.argv[1] == "new":
        km = KernelManager(kernel_name="python3")
        km.start_kernel()
        client = km.client()
    else:
        km = None
        client = BlockingKernelClient(connection_file=sys.argv[2])
        client.load_connection_file()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=120)
        results = [run(client, code) for code in cells]
    finally:
        client.stop_channels()
        if km is not None:
            km.shutdown_kernel(now=True)
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
