// The machine line of the report: numbers only mean something next to the CPU and library
// versions they were taken with.
import os from 'node:os';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** @param {string} cmd @param {string[]} args */
function tryRun(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

function osName() {
  try {
    return /^PRETTY_NAME="?([^"\n]*)/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? os.platform();
  } catch {
    return `${os.platform()} ${os.release()}`;
  }
}

export function machineInfo() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: osName(),
    node: process.version,
    // the system libjpeg-turbo, the one the xfer engine links against
    libjpegTurbo: tryRun('pkg-config', ['--modversion', 'libturbojpeg']) ?? 'not found by pkg-config',
  };
}
