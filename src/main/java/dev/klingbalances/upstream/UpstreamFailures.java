package dev.klingbalances.upstream;

import java.net.ConnectException;
import java.util.concurrent.TimeoutException;

import dev.klingbalances.model.ErrorCode;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.timeout.ReadTimeoutException;
import tools.jackson.core.JacksonException;

import org.springframework.core.codec.DecodingException;
import org.springframework.core.io.buffer.DataBufferLimitException;

/**
 * How every provider classifies what went wrong with an upstream call, so that the same failure
 * gets the same {@link ErrorCode} (and so the same retries and circuit breaking) whichever
 * upstream it came from. The providers word the messages; the classes are decided here.
 */
public final class UpstreamFailures {

	private UpstreamFailures() {
	}

	/** What went wrong when no readable HTTP answer came back. */
	public enum Transport {

		/** The body was larger than the provider's {@code http.max-response-size}. */
		TOO_LARGE(ErrorCode.BAD_RESPONSE),
		/** The body could not be decoded (not JSON). */
		UNREADABLE(ErrorCode.BAD_RESPONSE),
		/** No answer within the response timeout. */
		RESPONSE_TIMEOUT(ErrorCode.UPSTREAM_TIMEOUT),
		/** No connection within the connect timeout. */
		CONNECT_TIMEOUT(ErrorCode.UPSTREAM_TIMEOUT),
		/** The connection was refused. */
		REFUSED(ErrorCode.UPSTREAM_UNAVAILABLE),
		/** Reset, premature close, pool exhausted: nothing usable arrived. */
		BROKEN(ErrorCode.UPSTREAM_UNAVAILABLE);

		private final ErrorCode code;

		Transport(ErrorCode code) {
			this.code = code;
		}

		public ErrorCode code() {
			return this.code;
		}

	}

	/** Classifies a failure that is not an HTTP answer: transport failures, timeouts, unreadable bodies. */
	public static Transport transport(Throwable failure) {
		if (hasCause(failure, DataBufferLimitException.class)) {
			return Transport.TOO_LARGE;
		}
		if (hasCause(failure, TimeoutException.class) || hasCause(failure, ReadTimeoutException.class)) {
			return Transport.RESPONSE_TIMEOUT;
		}
		if (hasCause(failure, ConnectTimeoutException.class)) {
			return Transport.CONNECT_TIMEOUT;
		}
		if (hasCause(failure, DecodingException.class) || hasCause(failure, JacksonException.class)) {
			return Transport.UNREADABLE;
		}
		return hasCause(failure, ConnectException.class) ? Transport.REFUSED : Transport.BROKEN;
	}

	/**
	 * Classifies an HTTP answer that is not a success by its status alone (a provider first
	 * applies what its upstream documents for a status or a code in the body): 401 refused
	 * credentials, 429 throttled, 504 a timeout, any other 5xx unavailable, any other 4xx a
	 * rejected request, anything else (1xx, 3xx: redirects are not followed) unreadable.
	 */
	public static ErrorCode byStatus(int status) {
		if (status == 401) {
			return ErrorCode.AUTHENTICATION_FAILED;
		}
		if (status == 429) {
			return ErrorCode.THROTTLED;
		}
		if (status == 504) {
			return ErrorCode.UPSTREAM_TIMEOUT;
		}
		if (status >= 500) {
			return ErrorCode.UPSTREAM_UNAVAILABLE;
		}
		return (status >= 400) ? ErrorCode.REQUEST_REJECTED : ErrorCode.BAD_RESPONSE;
	}

	/** Whether {@code failure} or one of its causes is a {@code type}. Bounded: a cause chain may loop. */
	public static boolean hasCause(Throwable failure, Class<? extends Throwable> type) {
		Throwable current = failure;
		for (int depth = 0; current != null && depth < 32; depth++) {
			if (type.isInstance(current)) {
				return true;
			}
			current = current.getCause();
		}
		return false;
	}

}
