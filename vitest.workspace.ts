/**
 * The list of Vitest projects: the config file of each package and example (naming config files, not
 * folders, keeps loose files under examples/ from being taken for projects). Vitest 4 no longer reads
 * this file by itself; the root `vitest.config.ts` imports it. Each config uses `defineProject`.
 */
export const projects = ['packages/*/vitest.config.ts', 'examples/*/vitest.config.ts']
