// Runs benchmark work in child processes. Python peers need their own interpreter, and sharp runs
// in a child so that its libuv pool size (UV_THREADPOOL_SIZE) can be set per thread count.
import { spawn } from 'node:child_process';

/**
 * Runs one step of a multi-step benchmark (a training run, a dataset export) with its stderr
 * shown as progress; rejects when it exits non-zero.
 * @param {string} cmd @param {string[]} args
 * @param {{ env?: NodeJS.ProcessEnv, capture?: boolean }} [opts] capture: collect stdout (else it goes to stderr too)
 * @returns {Promise<{ stdout: string, seconds: number }>}
 */
export function runStep(cmd, args, { env = process.env, capture = false } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd, args, { env, stdio: ['ignore', capture ? 'pipe' : process.stderr, process.stderr] });
    let stdout = '';
    child.stdout?.on('data', (d) => { stdout += d; });
    child.on('error', reject);
    child.on('close', (code) => (code === 0
      ? resolve({ stdout, seconds: (performance.now() - started) / 1000 })
      : reject(new Error(`${cmd.split('/').pop()} ${args.join(' ')} exited with ${code}`))));
  });
}

/**
 * Runs a peer. Protocol: the spec goes in as one JSON object on stdin, the child prints one JSON
 * object as the last line of stdout; stderr is passed through on failure only.
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
