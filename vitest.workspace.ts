/**
 * The list of Vitest projects. Vitest 4 no longer reads this file by itself; `vitest.config.ts`
 * imports it. Each entry is a folder with its own `vitest.config.ts` (made with `defineProject`).
 */
export const projects = ['packages/*', 'examples/*']
