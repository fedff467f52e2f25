import type { Enhancer } from '../../../src/engine/types.js'

/** A deterministic AI layer for the chaos and scale-out tests: one profile field and one engagement log per student. */
export const profileEnhancer: Enhancer = {
  name: 'profile',
  doctypes: ['Student'],
  enhance: ({ name, view }) => ({
    fields: {
      ai_learning_profile: { style: String(view.gender ?? 'unknown').length % 2 ? 'visual' : 'verbal', v: 1 },
    },
    documents: [
      {
        doctype: 'AI Engagement Log',
        key: `eng:${name}:2025-01-06`,
        doc: { student: name, session_date: '2025-01-06', questions_asked: 3 },
      },
    ],
  }),
}
