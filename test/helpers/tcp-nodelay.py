# Reads TCP_NODELAY of a socket another process holds: pidfd_getfd(2) duplicates the process's descriptor for
# the connection LOCAL_PORT <-> PEER_PORT, then getsockopt reads the real kernel setting. Prints 1 or 0.
# Usage: tcp-nodelay.py PID LOCAL_PORT PEER_PORT
import ctypes, os, socket, sys
pid, local_port, peer_port = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
libc = ctypes.CDLL(None, use_errno=True)
pidfd = os.pidfd_open(pid)
for name in os.listdir(f'/proc/{pid}/fd'):
    if not os.readlink(f'/proc/{pid}/fd/{name}').startswith('socket:'): continue
    fd = libc.syscall(438,  # pidfd_getfd
                      pidfd, int(name), 0)
    if fd < 0: sys.exit(f'pidfd_getfd: errno {ctypes.get_errno()}')
    s = socket.socket(fileno=fd)
    try:
        if s.type == socket.SOCK_STREAM and s.family == socket.AF_INET and s.getsockname()[1] == local_port and s.getpeername()[1] == peer_port:
            print(s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)); sys.exit(0)
    except OSError: pass
    finally: s.detach(); os.close(fd)
sys.exit('socket not found')
