/**
 * HTTP plumbing shared by every endpoint: RFC 9457 problem responses (codes, renderer, error
 * controller, exception handler), the request id and the OpenAPI document.
 * <p>
 * May import: {@code model}, {@code provider}, {@code cache} (its settings), {@code balance}. Must not import
 * {@code security} (security uses web, not the other way round).
 */
package dev.klingbalances.web;
