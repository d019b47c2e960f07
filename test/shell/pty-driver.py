#!/usr/bin/env python3
"""Drives quarryi through a real pseudo-terminal. argv[1] is JSON: {"argv": [...], "env": {...}, "steps": [...]}.
Control sequences are removed before matching. Each step is {"run": shell command run first (optional), "send": text, "expect": regex-or-null, "timeout": seconds}. `expect` is searched in the output
from the start of the line the step's send began on. Prints JSON {"transcript", "raw", "exit", "failed_step", "runs" (each run step's stdout, stderr, status)} on stdout."""
import json, os, pty, re, select, subprocess, sys, time

spec = json.loads(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    env = dict(os.environ)
    env.update(spec.get("env", {}))
    os.execvpe(spec["argv"][0], spec["argv"], env)

transcript = b""
failed = None
runs = []

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")

def clean(raw):
    """The text without terminal control sequences (readline redraws lines with them when TERM is not dumb)."""
    return ANSI.sub("", raw.decode("utf-8", "replace"))

def read_until(pattern, timeout, start):
    global transcript
    deadline = time.time() + timeout
    while True:
        if pattern is not None and re.search(pattern, clean(transcript[transcript.rfind(b"\n", 0, start) + 1:])):
            return True
        remaining = deadline - time.time()
        if remaining <= 0:
            return pattern is None
        ready, _, _ = select.select([fd], [], [], min(0.05, remaining))
        if ready:
            try:
                data = os.read(fd, 65536)
            except OSError:
                return pattern is None
            if not data:
                return pattern is None
            transcript += data

for index, step in enumerate(spec["steps"]):
    start = len(transcript)
    if step.get("run"):
        done = subprocess.run(step["run"], shell=True, capture_output=True, text=True)
        runs.append({"stdout": done.stdout, "stderr": done.stderr, "status": done.returncode})
    if step.get("send"):
        os.write(fd, step["send"].encode())
    if not read_until(step.get("expect"), step.get("timeout", 10), start):
        failed = index
        break

exit_code = None
deadline = time.time() + 10
while time.time() < deadline:
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        exit_code = os.waitstatus_to_exitcode(status)
        break
    read_until(None, 0.05, len(transcript))
if exit_code is None:
    os.kill(pid, 9)
    os.waitpid(pid, 0)
print(json.dumps({"transcript": clean(transcript), "raw": transcript.decode("utf-8", "replace"), "exit": exit_code, "failed_step": failed, "runs": runs}))
