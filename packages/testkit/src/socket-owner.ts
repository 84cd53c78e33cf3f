import { readFile, readdir, readlink } from 'node:fs/promises';
import type { Socket } from 'node:net';

/**
 * Which of `pids` owns the far end of a loopback connection accepted on this machine: Linux
 * lists every TCP socket with its inode in /proc/net/tcp, and each process's descriptors
 * name the inodes they hold. No privileges are needed for our own child processes. A proxy
 * uses it to tell which node a connection comes from, so it can cut one link and not another.
 */
export async function ownerOfPeer(accepted: Socket, pids: readonly number[]): Promise<number | null> {
  const farPort = accepted.remotePort;
  const nearPort = accepted.localPort;
  if (farPort === undefined || nearPort === undefined) return null;
  const inode = await socketInode(farPort, nearPort);
  if (inode === null) return null;
  const wanted = `socket:[${inode}]`;
  for (const pid of pids) {
    const dir = `/proc/${pid}/fd`;
    const fds = await readdir(dir).catch(() => [] as string[]);
    for (const fd of fds) {
      if ((await readlink(`${dir}/${fd}`).catch(() => '')) === wanted) return pid;
    }
  }
  return null;
}

/** The inode of the IPv4 socket bound to `localPort` and connected to `remotePort`. */
async function socketInode(localPort: number, remotePort: number): Promise<string | null> {
  const table = await readFile('/proc/net/tcp', 'utf8').catch(() => '');
  const local = localPort.toString(16).toUpperCase().padStart(4, '0');
  const remote = remotePort.toString(16).toUpperCase().padStart(4, '0');
  for (const line of table.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 10) continue;
    if (fields[1]!.endsWith(`:${local}`) && fields[2]!.endsWith(`:${remote}`)) return fields[9]!;
  }
  return null;
}
