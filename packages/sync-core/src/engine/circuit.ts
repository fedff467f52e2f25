/** State of the circuit breaker that guards ERPNext. */
export type CircuitState = 'closed' | 'open' | 'half-open'

/** Options of the circuit breaker. */
export interface CircuitOptions {
  /** Consecutive transient failures that open the circuit. @default 5 */
  readonly failureThreshold: number
  /** How long the circuit stays open before one probe is let through. @default 10000 */
  readonly openMs: number
}

/**
 * A consecutive-failure circuit breaker. While open, workers pause instead of burning attempts against
 * an ERPNext that is down; after `openMs` a trial runs (half-open) and its outcome closes or re-opens it.
 * @internal
 */
export class CircuitBreaker {
  #state: CircuitState = 'closed'
  #failures = 0
  #openedAt = 0
  #probing = false
  readonly #options: CircuitOptions
  readonly #now: () => number
  readonly #onChange: (state: CircuitState) => void

  constructor(options: CircuitOptions, now: () => number, onChange: (state: CircuitState) => void) {
    this.#options = options
    this.#now = now
    this.#onChange = onChange
  }

  get state(): CircuitState {
    if (this.#state === 'open' && this.#now() - this.#openedAt >= this.#options.openMs) return 'half-open'
    return this.#state
  }

  /** When the next probe may run (epoch ms); 0 when closed. */
  get retryAt(): number {
    return this.#state === 'closed' ? 0 : this.#openedAt + this.#options.openMs
  }

  /**
   * Whether a request may go out now. Half-open lets the trial operation through (its requests may run
   * concurrently); the first failure re-opens the circuit, the first success closes it.
   */
  allow(): boolean {
    const state = this.state
    if (state === 'closed') return true
    if (state === 'half-open') {
      this.#probing = true
      this.#set('half-open')
      return true
    }
    return false
  }

  success(): void {
    this.#failures = 0
    this.#probing = false
    if (this.#state !== 'closed') this.#set('closed')
  }

  failure(): void {
    this.#failures++
    const wasProbe = this.#probing
    this.#probing = false
    if (wasProbe || this.#failures >= this.#options.failureThreshold) {
      this.#openedAt = this.#now()
      this.#set('open')
    }
  }

  #set(state: CircuitState): void {
    if (this.#state === state) return
    this.#state = state
    this.#onChange(state)
  }
}
