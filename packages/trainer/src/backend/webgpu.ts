import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';

/** The GPU that tfjs' webgpu backend runs on, as Dawn describes it. */
export interface WebGpuAdapter {
  vendor: string;
  architecture: string;
  description: string;
}

/**
 * Where the dynamic linker would find libvulkan.so.1: LD_LIBRARY_PATH first, then its cache. Dawn
 * reaches every Linux GPU through the Vulkan loader; without it Dawn only prints a warning and finds
 * nothing, so this is asked before Dawn is loaded at all.
 */
export function vulkanLoaderPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env['LD_LIBRARY_PATH'] ?? '').split(':').filter(Boolean)) {
    const candidate = path.join(dir, 'libvulkan.so.1');
    if (existsSync(candidate)) return candidate;
  }
  let cache = '';
  try {
    cache = execFileSync('/sbin/ldconfig', ['-p'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return undefined;
  }
  return /^\s*libvulkan\.so\.1 .*=> (\S+)$/m.exec(cache)?.[1];
}

export function describeAdapter(a: WebGpuAdapter): string {
  return [a.vendor, a.architecture, a.description].filter(Boolean).join(', ') || 'an unnamed adapter';
}

/**
 * Registers tfjs' 'webgpu' backend on the high-performance adapter Dawn finds here, and returns
 * that adapter. Throws, saying why, where there is none: no Vulkan loader, no adapter, or only a
 * software one (which would be slower than the CPU backends).
 */
export async function registerWebGpu(): Promise<WebGpuAdapter> {
  if (process.platform === 'linux' && !vulkanLoaderPath()) {
    throw new Error('no Vulkan loader (libvulkan.so.1), through which Dawn reaches the GPU on Linux: install libvulkan1 and the GPU\'s Vulkan driver');
  }
  const dawn = await import('webgpu');
  // tfjs' webgpu kernels use the WebGPU constants (GPUBufferUsage, GPUMapMode, ...) as globals.
  Object.assign(globalThis, dawn.globals);
  const adapter = await dawn.create([]).requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new Error('Dawn found no WebGPU adapter (no GPU with a working Vulkan driver)');
  const info: WebGpuAdapter = { vendor: adapter.info.vendor, architecture: adapter.info.architecture, description: adapter.info.description };
  if (adapter.info.isFallbackAdapter) throw new Error(`only a software adapter (${describeAdapter(info)}), slower than the CPU backends`);
  // The limits tfjs' own factory asks for: the adapter's, not WebGPU's small defaults.
  const limits = adapter.limits;
  const device = await adapter.requestDevice({
    requiredFeatures: adapter.features.has('timestamp-query') ? ['timestamp-query'] : [],
    requiredLimits: {
      maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
      maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
    },
  });
  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
  if (!tf.findBackendFactory('webgpu')) tf.registerBackend('webgpu', () => new WebGPUBackend(device, adapter.info));
  return info;
}
