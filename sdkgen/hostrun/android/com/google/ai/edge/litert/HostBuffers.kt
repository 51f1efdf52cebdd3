// HOST STAND-IN (sdkgen host runs): not a LiteRT API. The host memory behind TensorBuffer handles.
package com.google.ai.edge.litert

import java.nio.ByteBuffer
import java.nio.ByteOrder

internal object HostBuffers {
  class Buffer(val dtypeCode: Int, val dims: List<Int>, val bytes: ByteBuffer) {
    val elements: Int = dims.fold(1) { a, d -> a * d }
  }

  private val buffers = HashMap<Long, Buffer>()
  private var next = 1L

  fun byteSize(dtypeCode: Int, dims: List<Int>): Int =
    dims.fold(1) { a, d -> a * d } * when (dtypeCode) {
      0, 1, 11 -> 1
      2, 5 -> 2
      3, 6 -> 4
      else -> 8
    }

  @Synchronized
  fun allocate(dtypeCode: Int, dims: List<Int>): Long {
    val bytes = ByteBuffer.allocate(byteSize(dtypeCode, dims)).order(ByteOrder.LITTLE_ENDIAN)
    buffers[next] = Buffer(dtypeCode, dims, bytes)
    return next++
  }

  @Synchronized
  fun get(handle: Long): Buffer = buffers[handle] ?: throw IllegalStateException("The handle has been destroyed.")

  @Synchronized
  fun free(handle: Long) {
    buffers.remove(handle)
  }
}
