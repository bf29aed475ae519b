import type { Plugin } from 'esbuild';

export declare const standaloneConfigValidator: Plugin;
export declare const webMimeTypes: Plugin;
export declare const undiciBesideTheBundle: Plugin;
