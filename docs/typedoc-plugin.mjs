// @ts-check
/**
 * Names the API reference's modules after their import specifiers (`sw-auth-proxy/sw`) instead of
 * their source folders (`sw`). Loaded by typedoc.json.
 */
import { Converter, ReflectionKind } from 'typedoc';

/** TypeDoc's default module name (the entry point's path without `index.ts`) → the package export. */
const EXPORT_NAMES = new Map([
  ['src/page', 'sw-auth-proxy'],
  ['sw', 'sw-auth-proxy/sw'],
  ['src/vite', 'sw-auth-proxy/vite'],
]);

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const module of context.project.getReflectionsByKind(ReflectionKind.Module)) {
      const name = EXPORT_NAMES.get(module.name);
      if (name === undefined) throw new Error(`docs/typedoc-plugin.mjs: no export name for the module ${module.name}`);
      module.name = name;
    }
  });
}
