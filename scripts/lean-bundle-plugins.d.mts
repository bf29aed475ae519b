import type { Plugin } from 'esbuild';

export declare const standaloneConfigValidator: Plugin;
export declare const standaloneAdminParamsValidators: Plugin;
export declare const koaWebBodiesOnDemand: Plugin;
export declare const webMimeTypes: Plugin;
export declare const SIDE_BUNDLES: Readonly<Record<string, string>>;
export declare const packagesBesideTheBundle: Plugin;
export declare const CLI_SIDE_BUNDLES: Readonly<Record<string, string>>;
export declare const cliSideBundles: Plugin;
