// Runs a peer in a child process. Python peers need their own interpreter, and sharp runs in a
// child so that its libuv pool size (UV_THREADPOOL_SIZE) can be set per thread count.
// Protocol: the spec goes in as one JSON object on stdin, the child prints one JSON object as
// the last line of stdout; stderr is passed through on failure only.
import { spawn } from 'node:child_process';

/**
 * @param {string} cmd @param {string[]} args @param {object} spec
 * @param {{ env?: NodeJS.ProcessEnv, timeoutMs?: number }} [opts]
 * @returns {Promise<any>}
 */
export function runJsonChild(cmd, args, spec, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 15 * 60_000);
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${cmd}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) {
        const tail = stderr.trim().split('\n').slice(-3).join(' | ');
        reject(new Error(`${path(cmd, args)} exited with ${signal ?? code}: ${tail}`));
        return;
      }
      const last = stdout.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(last));
      } catch {
        reject(new Error(`${path(cmd, args)} printed no JSON result: ${last.slice(0, 200)}`));
      }
    });
    child.stdin.end(JSON.stringify(spec));
  });
}

/** @param {string} cmd @param {string[]} args */
function path(cmd, args) {
  return [cmd, ...args].map((a) => a.split('/').pop()).join(' ');
}
