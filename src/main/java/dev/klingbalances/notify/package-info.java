/**
 * Webhooks: the alert conditions evaluated on every view, their firing state, the outbox and
 * the signed delivery with retries. Settings: {@code balances.notify.*}.
 * <p>
 * May import: {@code model}, {@code provider}, {@code cache}, {@code balance}. Must not import
 * a store implementation, {@code web} or {@code security}.
 */
package dev.klingbalances.notify;
