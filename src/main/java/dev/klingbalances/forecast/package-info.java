/**
 * History and forecasting: every account's figures recorded over time ({@code HistoryStore},
 * {@code BalanceHistory}), the consumption between snapshots, the burn-rate fit and the run-out
 * simulation ({@code Forecaster}), and the history answer. Settings: {@code balances.forecast.*}.
 * <p>
 * May import: {@code model}, {@code provider}, {@code cache}. Must not import the API
 * ({@code balance}) or a store implementation.
 */
package dev.klingbalances.forecast;
