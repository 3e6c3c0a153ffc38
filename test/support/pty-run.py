#!/usr/bin/env python3
"""Runs a command in a pseudo-terminal of its own, as a login shell or SSH session would.

Usage: pty-run.py <command> [args...]

The command's session leader is the command itself, with the terminal as its stdin, stdout and
stderr. Everything it writes to the terminal is copied to this program's stdout. A line
`type <text>` on stdin types the text (and its newline) at the terminal. A line
`hangup` on stdin (or the end of stdin) closes the terminal, as closing a terminal window or
losing an SSH connection does: the kernel sends the command SIGHUP and its writes fail with EIO.
Once the command has exited, its exit is printed on stderr as JSON: {"code": n} or {"signal": n}.
"""
import json
import os
import pty
import select
import sys

pid, master = pty.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[1], sys.argv[1:])
    finally:
        os._exit(127)

stdin = sys.stdin.fileno()
watched = [master, stdin]
while True:
    ready, _, _ = select.select(watched, [], [])
    if master in ready:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: every process holding the terminal has closed it
            data = b''
        if not data:
            break
        os.write(1, data)
    if stdin in ready:
        line = os.read(stdin, 1024)
        # `type <text>` lines are typed at the terminal, as a person would.
        for typed in line.splitlines(keepends=True):
            if typed.startswith(b'type '):
                os.write(master, typed[5:])
        if not line or b'hangup' in line:
            break
os.close(master)
_, status = os.waitpid(pid, 0)
code = os.waitstatus_to_exitcode(status)
sys.stderr.write(json.dumps({'code': code} if code >= 0 else {'signal': -code}) + '\n')
