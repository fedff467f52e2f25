import type { BackfillProgress } from '@edusync/sync-core'

/** Where progress goes: a writable with an optional `isTTY`. */
export interface ProgressOutput {
  write(text: string): unknown
  readonly isTTY?: boolean
}

/** Format a duration for an ETA: `42s`, `3m05s`. */
export function formatEta(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '–'
  const s = Math.max(0, Math.round(ms / 1000))
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
}

/** One progress bar line: `Student              [██████░░░░░░]  120/200  45.2/s  ETA 2s`. */
export function formatBar(p: BackfillProgress, width = 24): string {
  const ratio = p.total > 0 ? Math.min(1, p.done / p.total) : 1
  const filled = Math.round(ratio * width)
  const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`
  const counts = `${p.done}/${p.total}`.padStart(11)
  const rate = `${p.rate >= 100 ? Math.round(p.rate) : p.rate.toFixed(1)}/s`.padStart(8)
  return `${p.doctype.padEnd(20)} [${bar}] ${counts} ${rate}  ETA ${formatEta(p.done >= p.total ? 0 : p.etaMs)}`
}

/**
 * Progress bars for a backfill: on a terminal each doctype's bar is redrawn in place; elsewhere (CI, a
 * pipe) a line is printed at each quarter and at the end, so logs stay short.
 */
export function progressBars(out: ProgressOutput): {
  update(p: BackfillProgress): void
  done(): void
} {
  let current: string | null = null
  const printed = new Map<string, number>()
  const finish = () => {
    if (current !== null && out.isTTY) out.write('\n')
    current = null
  }
  return {
    update(p) {
      const line = formatBar(p)
      if (out.isTTY) {
        if (current !== null && current !== p.doctype) out.write('\n')
        current = p.doctype
        out.write(`\r${line}`)
        return
      }
      const quarter = p.total > 0 ? Math.floor((p.done / p.total) * 4) : 4
      if ((printed.get(p.doctype) ?? -1) < quarter) {
        printed.set(p.doctype, quarter)
        out.write(`${line}\n`)
      }
    },
    done() {
      finish()
    },
  }
}
