import { expect, it } from 'vitest'
import type { EmulatorDocTypeMeta } from '../src/index.js'
import { field } from '../src/meta.js'
import { conformance } from './harness.js'

const row: EmulatorDocTypeMeta = {
  name: 'Tree Probe Row',
  module: 'Custom',
  istable: 1,
  issingle: 0,
  is_submittable: 0,
  fields: [field('assessment_group', 'Link', { options: 'Assessment Group' })],
}
const parent: EmulatorDocTypeMeta = {
  name: 'Tree Probe',
  module: 'Custom',
  istable: 0,
  issingle: 0,
  is_submittable: 0,
  autoname: 'prompt',
  fields: [field('rows', 'Table', { options: 'Tree Probe Row' })],
}

conformance(
  '§9 tree operators inside child-table filters',
  (h) => {
    const names = async (filters: unknown): Promise<string[]> => {
      const r = await h().call(
        `/api/resource/Tree Probe?order_by=name%20asc&filters=${encodeURIComponent(JSON.stringify(filters))}`,
      )
      expect(r.status).toBe(200)
      return r.body.data.map((x: { name: string }) => x.name)
    }

    it('matches parents by a child row Link into the tree', async () => {
      h().emulator.insert('Tree Probe', {
        name: 'root-only',
        rows: [{ assessment_group: 'All Assessment Groups' }],
      })
      h().emulator.insert('Tree Probe', { name: 'leaf', rows: [{ assessment_group: 'Term Exams' }] })
      h().emulator.insert('Tree Probe', { name: 'no-rows' })
      const f = (op: string, value: string) => [['Tree Probe Row', 'assessment_group', op, value]]
      expect(await names(f('descendants of', 'All Assessment Groups'))).toEqual(['leaf'])
      expect(await names(f('descendants of (inclusive)', 'All Assessment Groups'))).toEqual([
        'leaf',
        'root-only',
      ])
      expect(await names(f('ancestors of', 'Term Exams'))).toEqual(['root-only'])
      expect(await names(f('not descendants of', 'All Assessment Groups'))).toEqual(['root-only'])
      expect(await names(f('not ancestors of', 'Term Exams'))).toEqual(['leaf'])
    })

    it('refuses a child column that is not a Link to a tree doctype', async () => {
      const r = await h().call(
        `/api/resource/Tree Probe?filters=${encodeURIComponent(JSON.stringify([['Tree Probe Row', 'parenttype', 'descendants of', 'x']]))}`,
      )
      expect(r.status).toBe(417)
    })
  },
  { doctypes: [row, parent] },
)
