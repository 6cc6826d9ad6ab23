"""A failing MPI rank aborts only after MPICH's process manager has read its error line.

The line goes through a pipe; an abort that overtakes the reader loses it (seen in CI as an
empty stderr with status 2). These tests hold ``wait_until_read`` to its promise on a real pipe.
"""

from __future__ import annotations

import array
import fcntl
import os
import termios
import threading
import time

from eisfem.cli.guard import wait_until_read


def unread_bytes(fd: int) -> int:
    count = array.array("i", [0])
    fcntl.ioctl(fd, termios.FIONREAD, count, True)
    return count[0]


def test_returns_once_the_reader_has_taken_the_line():
    read_end, write_end = os.pipe()
    os.write(write_end, b"eisfem: error: something\n")
    reader = threading.Thread(target=lambda: (time.sleep(0.2), os.read(read_end, 4096)))
    reader.start()
    assert unread_bytes(write_end) > 0
    wait_until_read(write_end, limit=30.0)
    assert unread_bytes(write_end) == 0
    reader.join()
    os.close(read_end)
    os.close(write_end)


def test_gives_up_after_the_limit_when_nobody_reads():
    read_end, write_end = os.pipe()
    os.write(write_end, b"eisfem: error: something\n")
    wait_until_read(write_end, limit=0.05)
    assert unread_bytes(write_end) > 0  # returned without a reader: bounded, no hang
    os.close(read_end)
    os.close(write_end)
