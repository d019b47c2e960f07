import type { Row, TableDefinition } from '@quarry/sql';
import { readCpuInfo } from './cpuinfo.js';

/**
 * osquery's cpuid features: (feature name, /proc/cpuinfo flag, leaf, output register, bit). Node cannot execute the
 * cpuid instruction, so each feature bit is answered from the kernel's view of it: the flags line of /proc/cpuinfo.
 */
const FEATURES: ReadonlyArray<readonly [string, string, number, string, number]> = [
  ['pae', 'pae', 1, 'edx', 6], ['msr', 'msr', 1, 'edx', 5], ['sep', 'sep', 1, 'edx', 11],
  ['mtrr', 'mtrr', 1, 'edx', 12], ['pge', 'pge', 1, 'edx', 13], ['mca', 'mca', 1, 'edx', 14],
  ['pat', 'pat', 1, 'edx', 16], ['clfsh', 'clflush', 1, 'edx', 19], ['acpi', 'acpi', 1, 'edx', 22],
  ['mmz', 'mmx', 1, 'edx', 23], ['sse', 'sse', 1, 'edx', 25], ['sse2', 'sse2', 1, 'edx', 26],
  ['ss', 'ss', 1, 'edx', 27], ['htt', 'ht', 1, 'edx', 28], ['ia64', 'ia64', 1, 'edx', 30],
  ['sse3', 'pni', 1, 'ecx', 0], ['vmx', 'vmx', 1, 'ecx', 5], ['smx', 'smx', 1, 'ecx', 6],
  ['ssse3', 'ssse3', 1, 'ecx', 9], ['sdbg', 'sdbg', 1, 'ecx', 11], ['pdcm', 'pdcm', 1, 'ecx', 15],
  ['pcid', 'pcid', 1, 'ecx', 17], ['dca', 'dca', 1, 'ecx', 18], ['sse4.1', 'sse4_1', 1, 'ecx', 19],
  ['sse4.2', 'sse4_2', 1, 'ecx', 20], ['aes', 'aes', 1, 'ecx', 25], ['avx', 'avx', 1, 'ecx', 28],
  ['hypervisor', 'hypervisor', 1, 'ecx', 31],
  ['sgx', 'sgx', 7, 'ebx', 2], ['hle', 'hle', 7, 'ebx', 4], ['avx2', 'avx2', 7, 'ebx', 5],
  ['smep', 'smep', 7, 'ebx', 7], ['bmi2', 'bmi2', 7, 'ebx', 8], ['erms', 'erms', 7, 'ebx', 9],
  ['invpcid', 'invpcid', 7, 'ebx', 10], ['rtm', 'rtm', 7, 'ebx', 11], ['pqm', 'cqm', 7, 'ebx', 12],
  ['mpx', 'mpx', 7, 'ebx', 14], ['pqe', 'rdt_a', 7, 'ebx', 15], ['avx512f', 'avx512f', 7, 'ebx', 16],
  ['avx512dq', 'avx512dq', 7, 'ebx', 17], ['rdseed', 'rdseed', 7, 'ebx', 18], ['adx', 'adx', 7, 'ebx', 19],
  ['smap', 'smap', 7, 'ebx', 20], ['intel_pt', 'intel_pt', 7, 'ebx', 25], ['sha', 'sha_ni', 7, 'ebx', 29],
  ['umip', 'umip', 7, 'ecx', 2], ['pku', 'pku', 7, 'ecx', 3], ['ospke', 'ospke', 7, 'ecx', 4],
  ['gfni', 'gfni', 7, 'ecx', 8], ['vaes', 'vaes', 7, 'ecx', 9], ['sgx_lc', 'sgx_lc', 7, 'ecx', 30],
  ['spec_ctrl', 'spec_ctrl', 7, 'edx', 26],
  ['svm', 'svm', 0x80000001, 'ecx', 2], ['ibs', 'ibs', 0x80000001, 'ecx', 10],
  ['skinit', 'skinit', 0x80000001, 'ecx', 12], ['lwp', 'lwp', 0x80000001, 'ecx', 15],
];

const X86_MACHINES = new Set(['x64', 'ia32']);

/** CPU identification and feature bits (x86 only), read from the first processor of /proc/cpuinfo. */
export const cpuid: TableDefinition = {
  name: 'cpuid',
  description: 'Useful CPU features from the cpuid ASM call.',
  columns: [
    { name: 'feature', type: 'TEXT', description: 'Present feature flags' },
    { name: 'value', type: 'TEXT', description: 'Bit value or string' },
    { name: 'output_register', type: 'TEXT', description: 'Register used to for feature value' },
    { name: 'output_bit', type: 'INTEGER', description: 'Bit in register value for feature value' },
    { name: 'input_eax', type: 'TEXT', description: 'Value of EAX used' },
  ],
  *generate() {
    if (!X86_MACHINES.has(process.arch)) return;
    const cpu = readCpuInfo()[0];
    if (cpu === undefined) return;
    const flags = new Set((cpu.get('flags') ?? '').split(/\s+/).filter(Boolean));
    const vendor = cpu.get('vendor_id');
    if (vendor !== undefined) {
      yield { feature: 'vendor', value: vendor, output_register: 'ebx,edx,ecx', output_bit: 0, input_eax: '0' };
    }
    const brand = cpu.get('model name');
    if (brand !== undefined) {
      yield { feature: 'product_name', value: brand, output_register: 'eax,ebx,ecx,edx', output_bit: 0, input_eax: '0x80000002' };
    }
    const family = Number.parseInt(cpu.get('cpu family') ?? '', 10);
    if (Number.isFinite(family)) {
      // Leaf 1 eax bits 8-11 hold the base family; families above 15 keep 0xf there and add the extended family.
      const baseFamily = (Math.min(family, 15) << 8).toString(16).padStart(4, '0');
      yield { feature: 'family', value: baseFamily, output_register: 'eax', output_bit: 0, input_eax: '1' };
    }
    for (const [feature, flag, leaf, register, bit] of FEATURES) {
      const row: Row = {
        feature,
        value: flags.has(flag) ? '1' : '0',
        output_register: register,
        output_bit: bit,
        input_eax: String(leaf),
      };
      yield row;
    }
  },
};
