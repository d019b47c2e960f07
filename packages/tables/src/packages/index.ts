import type { TableDefinition } from '@quarry/sql';
import { apt_sources } from './apt_sources.js';
import { deb_packages } from './deb_packages.js';
import { python_packages } from './python_packages.js';

export { apt_sources, deb_packages, python_packages };

/** Software inventory tables: dpkg, APT sources and Python distributions. */
export const packagesTables: TableDefinition[] = [deb_packages, apt_sources, python_packages];
