/**
 * The status page ({@code /status}): server-rendered settings for a static page that reads the
 * API. Settings: {@code balances.status-page.*}.
 * <p>
 * May import: {@code model}, {@code forecast} (its settings), {@code balance}.
 */
package dev.klingbalances.status;
