package dev.klingbalances.contract;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * HTTP/1.1 over a plain socket to 127.0.0.1, so a test can send request targets and headers
 * that well-behaved clients refuse to build (invalid escapes, raw unicode, control bytes).
 * One connection per request ({@code Connection: close}); the response is read to the end.
 */
public final class RawHttp {

	private final int port;

	public RawHttp(int port) {
		this.port = port;
	}

	/** Sends {@code method target} with the given raw header lines (without CRLF). */
	public Response send(String method, byte[] target, String... headerLines) {
		try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), this.port)) {
			socket.setSoTimeout(30_000);
			OutputStream out = socket.getOutputStream();
			ByteArrayOutputStream request = new ByteArrayOutputStream();
			request.writeBytes((method + " ").getBytes(StandardCharsets.US_ASCII));
			request.writeBytes(target);
			request.writeBytes(" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n".getBytes(StandardCharsets.US_ASCII));
			for (String line : headerLines) {
				request.writeBytes(line.getBytes(StandardCharsets.UTF_8));
				request.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
			}
			request.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
			request.writeBytes(bodyFor(headerLines));
			out.write(request.toByteArray());
			out.flush();
			InputStream in = socket.getInputStream();
			String raw = new String(in.readAllBytes(), StandardCharsets.UTF_8);
			return Response.parse(raw);
		}
		catch (IOException ex) {
			throw new IllegalStateException("Raw request failed", ex);
		}
	}

	/**
	 * A body that keeps the message framing the headers declare, so the server never waits for
	 * bytes that will not come: the declared Content-Length (when small), or the last chunk.
	 */
	private static byte[] bodyFor(String... headerLines) {
		for (String line : headerLines) {
			String lower = line.toLowerCase(Locale.ROOT);
			if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
				return "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
			}
		}
		for (String line : headerLines) {
			String lower = line.toLowerCase(Locale.ROOT);
			if (lower.startsWith("content-length:") && lower.substring(15).trim().matches("\\d{1,5}")) {
				return "x".repeat(Integer.parseInt(lower.substring(15).trim())).getBytes(StandardCharsets.US_ASCII);
			}
		}
		return new byte[0];
	}

	/**
	 * @param status the status code, or -1 when the server closed without an answer
	 * @param head status line and headers
	 * @param body everything after the blank line (chunk sizes included, if chunked)
	 */
	public record Response(int status, String head, String body) {

		static Response parse(String raw) {
			// Skip interim answers (100 Continue) to reach the final one.
			while (raw.startsWith("HTTP/1.1 1") && raw.indexOf("\r\n\r\n") > 0) {
				raw = raw.substring(raw.indexOf("\r\n\r\n") + 4);
			}
			if (!raw.startsWith("HTTP/1.1 ") || raw.length() < 12) {
				return new Response(-1, raw, "");
			}
			int end = raw.indexOf("\r\n\r\n");
			String head = (end >= 0) ? raw.substring(0, end) : raw;
			String body = (end >= 0) ? raw.substring(end + 4) : "";
			return new Response(Integer.parseInt(raw.substring(9, 12)), head, body);
		}

		public String header(String name) {
			for (String line : this.head.split("\r\n")) {
				int colon = line.indexOf(':');
				if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
					return line.substring(colon + 1).trim();
				}
			}
			return null;
		}

		/** The body without chunked transfer framing, when the answer was chunked. */
		public String content() {
			String encoding = header("Transfer-Encoding");
			if (encoding == null || !encoding.toLowerCase(Locale.ROOT).contains("chunked")) {
				return this.body;
			}
			byte[] bytes = this.body.getBytes(StandardCharsets.UTF_8);
			ByteArrayOutputStream content = new ByteArrayOutputStream();
			int at = 0;
			while (at < bytes.length) {
				int lineEnd = indexOfCrLf(bytes, at);
				int size = Integer.parseInt(new String(bytes, at, lineEnd - at, StandardCharsets.US_ASCII).split(";")[0].trim(), 16);
				if (size == 0) {
					break;
				}
				content.write(bytes, lineEnd + 2, size);
				at = lineEnd + 2 + size + 2;
			}
			return content.toString(StandardCharsets.UTF_8);
		}

		private static int indexOfCrLf(byte[] bytes, int from) {
			for (int i = from; i + 1 < bytes.length; i++) {
				if (bytes[i] == '\r' && bytes[i + 1] == '\n') {
					return i;
				}
			}
			throw new IllegalStateException("Chunked body without a chunk-size line end");
		}

		public String all() {
			return this.head + "\n" + this.body;
		}

	}

}
