// HOST STAND-IN (sdkgen host runs, never shipped in an SDK).
package sdkgen.hostrun

import java.io.DataInputStream
import java.io.File
import java.io.OutputStream
import java.nio.ByteBuffer
import java.nio.ByteOrder

/**
 * The JVM end of `python -m sdkgen.hostrun.bridge` (see its docstring for the frames): one bridge process
 * per JVM, started on first use with the interpreter named by the `sdkgen.hostrun.python` system property
 * (and `sdkgen.hostrun.pythonpath`, when set, as its PYTHONPATH). Calls are serialised.
 */
object Bridge {
    private var process: Process? = null
    private lateinit var input: DataInputStream
    private lateinit var output: OutputStream

    /** A reply: ExecuTorch's error code (0 is success), its message and the payload after them. */
    class Reply(val status: Int, val message: String, val body: ByteBuffer)

    @Synchronized
    fun call(build: (Frame) -> Unit): Reply {
        ensureStarted()
        val frame = Frame()
        build(frame)
        val bytes = frame.bytes()
        val head = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(bytes.size).array()
        output.write(head)
        output.write(bytes)
        output.flush()
        val lengthBytes = ByteArray(4)
        input.readFully(lengthBytes)
        val length = ByteBuffer.wrap(lengthBytes).order(ByteOrder.LITTLE_ENDIAN).int
        val payload = ByteArray(length)
        input.readFully(payload)
        val body = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN)
        val status = body.int
        val message = readString(body)
        return Reply(status, message, body)
    }

    private fun ensureStarted() {
        if (process?.isAlive == true) return
        val python = System.getProperty("sdkgen.hostrun.python")
            ?: throw IllegalStateException("system property sdkgen.hostrun.python is not set")
        val builder = ProcessBuilder(python, "-m", "sdkgen.hostrun.bridge")
        System.getProperty("sdkgen.hostrun.pythonpath")?.let { builder.environment()["PYTHONPATH"] = it }
        System.getProperty("sdkgen.hostrun.log")?.let { builder.redirectError(ProcessBuilder.Redirect.appendTo(File(it))) }
            ?: builder.redirectError(ProcessBuilder.Redirect.INHERIT)
        val started = builder.start()
        process = started
        input = DataInputStream(started.inputStream.buffered())
        output = started.outputStream.buffered()
        Runtime.getRuntime().addShutdownHook(Thread { started.destroy() })
    }

    fun readString(b: ByteBuffer): String {
        val n = b.int
        val bytes = ByteArray(n)
        b.get(bytes)
        return String(bytes, Charsets.UTF_8)
    }

    /** A request payload under construction (little-endian). */
    class Frame {
        private var buf: ByteBuffer = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN)

        private fun room(n: Int) {
            if (buf.remaining() >= n) return
            val bigger = ByteBuffer.allocate(maxOf(buf.capacity() * 2, buf.position() + n)).order(ByteOrder.LITTLE_ENDIAN)
            buf.flip()
            bigger.put(buf)
            buf = bigger
        }

        fun byte(v: Int) = apply { room(1); buf.put(v.toByte()) }
        fun int(v: Int) = apply { room(4); buf.putInt(v) }
        fun long(v: Long) = apply { room(8); buf.putLong(v) }
        fun double(v: Double) = apply { room(8); buf.putDouble(v) }
        fun bytes(v: ByteArray) = apply { room(v.size); buf.put(v) }
        fun string(v: String) = apply { val b = v.toByteArray(Charsets.UTF_8); int(b.size); bytes(b) }

        fun bytes(): ByteArray = buf.array().copyOf(buf.position())
    }
}
