/**
 * Kling web accounts through useapi.net ({@code /v1/kling/accounts}): discovery, the client,
 * the credit mapping and its properties ({@code balances.useapi.*}).
 * <p>
 * May import: {@code model}, {@code provider}, {@code upstream}. Never another provider.
 */
package dev.klingbalances.provider.useapi;
