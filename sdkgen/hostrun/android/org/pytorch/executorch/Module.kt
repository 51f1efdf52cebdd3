// HOST STAND-IN (sdkgen host runs, never shipped in an SDK). Public API and behaviour as upstream v1.4.1
// extension/android/executorch_android/src/main/java/org/pytorch/executorch/Module.kt and its JNI
// (extension/android/jni/jni_layer.cpp): load() validates the path (IllegalArgumentException) and reads
// nothing more; loadMethod and execute fail with ExecutorchRuntimeException carrying the runtime's error
// code ("Execution failed for method: <name>" for an unknown method); every call holds one lock; use after
// destroy() is an IllegalStateException, and destroy() while a method runs throws IllegalStateException.
// The runtime is ExecuTorch's own C++ runtime, reached through sdkgen.hostrun.Bridge.
package org.pytorch.executorch

import java.io.Closeable
import java.nio.ByteBuffer
import java.util.concurrent.locks.ReentrantLock
import org.pytorch.executorch.annotations.Experimental
import sdkgen.hostrun.Bridge

@Experimental
open class Module private constructor(moduleAbsolutePath: String, loadMode: Int, numThreads: Int) :
    Closeable {
  private val lock = ReentrantLock()
  private var handle: Int = open(moduleAbsolutePath, loadMode)
  private var valid = true

  init {
    // Upstream's constructor reads the method names (populateMethodMeta), which loads the program: a
    // file that is not a program fails here, with INVALID_ARGUMENT and the runtime's code in the message.
    val reply = Bridge.call { it.byte(4).int(handle) }
    if (reply.status != 0) {
      throw ExecutorchRuntimeException.makeExecutorchException(
          ExecutorchRuntimeException.INVALID_ARGUMENT,
          "Cannot get load module [Native Error: 0x" + Integer.toHexString(reply.status).uppercase() + "]")
    }
  }

  open fun forward(vararg inputs: EValue): Array<EValue> = execute("forward", *inputs)

  open fun execute(methodName: String, vararg inputs: EValue): Array<EValue> = locked {
    val reply = Bridge.call { f ->
      f.byte(3).int(handle).string(methodName).int(inputs.size)
      for (v in inputs) writeEValue(f, v)
    }
    raise(reply)
    Array(reply.body.int) { readEValue(reply.body) }
  }

  open fun loadMethod(methodName: String) {
    locked {
      val reply = Bridge.call { it.byte(2).int(handle).string(methodName) }
      if (reply.status != 0) {
        throw ExecutorchRuntimeException.makeExecutorchException(reply.status, "Failed to load method: $methodName")
      }
    }
  }

  open fun getMethods(): Array<String> = locked {
    val reply = Bridge.call { it.byte(4).int(handle) }
    raise(reply)
    Array(reply.body.int) { Bridge.readString(reply.body) }
  }

  open fun getMethodMetadata(name: String): MethodMetadata = locked {
    if (name !in getMethods()) throw IllegalArgumentException("method $name does not exist for this module")
    MethodMetadata(name, emptyArray())
  }

  open fun readLogBuffer(): Array<String>? = locked { emptyArray() }

  @Experimental open fun etdump(): Boolean = locked { false }

  @Experimental open fun etdump(outputPath: String): Boolean = locked { false }

  open fun destroy() {
    if (lock.tryLock()) {
      try {
        if (valid) {
          valid = false
          Bridge.call { it.byte(5).int(handle) }
        }
      } finally {
        lock.unlock()
      }
    } else {
      throw IllegalStateException("Cannot destroy module while method is executing")
    }
  }

  override fun close() {
    destroy()
  }

  private fun <T> locked(block: () -> T): T {
    lock.lock()
    try {
      check(valid) { "Module has been destroyed" }
      return block()
    } finally {
      lock.unlock()
    }
  }

  companion object {
    const val LOAD_MODE_FILE = 0
    const val LOAD_MODE_MMAP = 1
    const val LOAD_MODE_MMAP_USE_MLOCK = 2
    const val LOAD_MODE_MMAP_USE_MLOCK_IGNORE_ERRORS = 3

    @JvmStatic
    @JvmOverloads
    fun load(modelPath: String?, loadMode: Int = LOAD_MODE_FILE, numThreads: Int = 0): Module {
      ExecuTorchRuntime.validateFilePath(modelPath, "model path")
      return Module(modelPath!!, loadMode, numThreads)
    }

    @JvmStatic fun readLogBufferStatic(): Array<String>? = emptyArray()

    private fun open(path: String, loadMode: Int): Int {
      val reply = Bridge.call { it.byte(1).string(path).int(loadMode) }
      raise(reply)
      return reply.body.int
    }

    private fun raise(reply: Bridge.Reply) {
      if (reply.status != 0) throw ExecutorchRuntimeException.makeExecutorchException(reply.status, reply.message)
    }

    private fun writeEValue(f: Bridge.Frame, v: EValue) {
      when {
        v.isTensor -> {
          val t = v.toTensor()
          val data = t.toByteArray()
          val shape = t.shape()
          val header = 8 + 8 * shape.size
          f.byte(1).int(t.dtype().jniCode).int(shape.size)
          shape.forEach { f.long(it) }
          f.int(data.size - header).bytes(data.copyOfRange(header, data.size))
        }
        v.isInt -> f.byte(4).long(v.toInt())
        v.isDouble -> f.byte(3).double(v.toDouble())
        v.isBool -> f.byte(5).byte(if (v.toBool()) 1 else 0)
        else -> throw ExecutorchRuntimeException.makeExecutorchException(
            ExecutorchRuntimeException.INVALID_ARGUMENT, "Unsupported input EValue type code: " + v.typeCode)
      }
    }

    private fun readEValue(b: ByteBuffer): EValue =
        when (val tag = b.get().toInt()) {
          0 -> EValue.optionalNone()
          1 -> {
            val code = b.int
            val dtype = DType.values().first { it.jniCode == code }
            val shape = LongArray(b.int) { b.long }
            val data = ByteArray(b.int)
            b.get(data)
            val header = java.nio.ByteBuffer.allocate(8 + 8 * shape.size).order(java.nio.ByteOrder.LITTLE_ENDIAN)
            header.putInt(dtype.jniCode).putInt(shape.size)
            shape.forEach { header.putLong(it) }
            EValue.from(Tensor.fromByteArray(header.array() + data))
          }
          3 -> EValue.from(b.double)
          4 -> EValue.from(b.long)
          5 -> EValue.from(b.get().toInt() != 0)
          else -> throw IllegalStateException("unknown EValue tag $tag")
        }
  }
}

class MethodMetadata internal constructor(val name: String, val backends: Array<String>)
