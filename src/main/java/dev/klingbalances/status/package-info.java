/**
 * The status page ({@code /status}): server-rendered settings for a static page that reads the
 * API. Settings: {@code balances.status-page.*}.
 * <p>
 * May import: {@code model}, {@code provider} (the providers' display names), {@code forecast} (its
 * settings), {@code balance}. Knows no provider by name.
 */
package dev.klingbalances.status;
