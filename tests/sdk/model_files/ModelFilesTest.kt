// Host test of the generated ModelFiles (tests/sdk/test_model_files.py fills in the __NAMES__ and compiles it
// with the library's ModelFiles.kt and exception class). Runs on the JVM with the host AssetManager (host/).
package __PACKAGE__

import android.content.Context
import android.content.res.AssetManager
import android.content.res.HostAssets
import java.io.File
import java.util.concurrent.Callable
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import org.junit.After
import org.junit.Assert.assertArrayEquals
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertThrows
import org.junit.Assert.assertTrue
import org.junit.Before
import org.junit.Test

/** An app's storage under [root], as Android lays it out: `files/`, `no_backup/`, `cache/`. */
class HostContext(private val root: File) : Context() {
    override fun getAssets(): AssetManager = HostAssets.create()
    override fun getFilesDir(): File = File(root, "files")
    override fun getCacheDir(): File = File(root, "cache")
    override fun getNoBackupFilesDir(): File = File(root, "no_backup")
    override fun getExternalFilesDir(type: String?): File? = null
    override fun getApplicationContext(): Context = this
    override fun getPackageName(): String = "com.example.host"
}

object Fixture {
    const val ASSETS = __ASSETS__
    const val ASSET_DIR = __ASSET_DIR__
    /** The engine extracted in the tests, and another engine of the same library. */
    const val HASH = __HASH_A__
    const val FILE = __FILE_A__
    const val OTHER_HASH = __HASH_B__
    const val OTHER_FILE = __FILE_B__
    /** An asset folder holding [FILE] with other bytes of the same size, and one with a short [FILE]. */
    const val ALTERED_DIR = "altered"
    const val SHORT_DIR = "short"

    fun asset(dir: String = ASSET_DIR, name: String = FILE): ByteArray = File(File(ASSETS, dir), name).readBytes()
}

/** `java ... ExtractMain <app root> <rendezvous> <parties>`: one process's load; prints the file it got. */
object ExtractMain {
    @JvmStatic
    fun main(args: Array<String>) {
        System.setProperty("host.assets", Fixture.ASSETS)
        System.setProperty("host.rendezvous", args[1])
        System.setProperty("host.parties", args[2])
        val file = ModelFiles.extract(HostContext(File(args[0])), Fixture.ASSET_DIR, Fixture.HASH, listOf(Fixture.FILE)).single()
        println(file.path)
    }
}

class ModelFilesTest {
    private lateinit var root: File

    @Before
    fun setUp() {
        root = File(System.getProperty("java.io.tmpdir"), "model-files-" + System.nanoTime())
        assertTrue(root.mkdirs())
        System.setProperty("host.assets", Fixture.ASSETS)
        System.clearProperty("host.rendezvous")
    }

    @After
    fun tearDown() {
        System.clearProperty("host.rendezvous")
        root.deleteRecursively()
    }

    private fun modelDir(): File = File(root, "no_backup/sdkgen/${Fixture.ASSET_DIR}")

    private fun extract(assetDir: String = Fixture.ASSET_DIR): File =
        ModelFiles.extract(HostContext(root), assetDir, Fixture.HASH, listOf(Fixture.FILE)).single()

    private fun leftovers(): List<String> =
        root.walkTopDown().filter { it.isFile && it.name.endsWith(".part") }.map { it.path }.toList()

    @Test
    fun extractsIntoTheNoBackupFolder() {
        val file = extract()
        assertEquals(File(modelDir(), "${Fixture.HASH}/${Fixture.FILE}"), file)
        assertArrayEquals(Fixture.asset(), file.readBytes())
        assertFalse("nothing goes to the backed-up filesDir", File(root, "files/sdkgen").exists())
        assertEquals(emptyList<String>(), leftovers())
        assertEquals(file, extract()) // the second load reuses it
    }

    @Test
    fun concurrentLoadsInOneProcessGetTheWholeFile() {
        val parties = 4
        val rendezvous = File(root, "rendezvous").apply { mkdirs() }
        System.setProperty("host.rendezvous", rendezvous.path)
        System.setProperty("host.parties", parties.toString())
        val pool = Executors.newFixedThreadPool(parties)
        try {
            val results = pool.invokeAll(List(parties) { Callable { extract() } }).map { it.get(120, TimeUnit.SECONDS) }
            assertEquals(parties, rendezvous.list()!!.size) // every copy had started before any finished
            assertEquals(1, results.toSet().size)
            assertArrayEquals(Fixture.asset(), results[0].readBytes())
            assertEquals(emptyList<String>(), leftovers())
        } finally {
            pool.shutdownNow()
        }
    }

    @Test
    fun earlierVersionsAreRemovedAndTheOtherEnginesFolderIsKept() {
        val earlier = File(modelDir(), "0123456789abcdef/${Fixture.FILE}")
        val other = File(modelDir(), "${Fixture.OTHER_HASH}/${Fixture.OTHER_FILE}")
        val legacy = File(root, "files/sdkgen/${Fixture.ASSET_DIR}/${Fixture.HASH}/${Fixture.FILE}")
        val unrelated = File(root, "files/sdkgen/another-model/0123456789abcdef/model.pte")
        for (f in listOf(earlier, other, legacy, unrelated)) {
            f.parentFile.mkdirs()
            f.writeBytes(byteArrayOf(1, 2, 3))
        }
        val file = extract()
        assertArrayEquals(Fixture.asset(), file.readBytes())
        assertFalse("an earlier version's folder is removed", earlier.parentFile.exists())
        assertTrue("another engine's folder of this library is kept", other.isFile)
        assertFalse("the copy in the backed-up filesDir is removed", legacy.exists() || legacy.parentFile.exists())
        assertTrue("another model's files are not touched", unrelated.isFile)
    }

    @Test
    fun anInterruptedCopyIsNeverTaken() {
        val asset = Fixture.asset()
        val dir = File(modelDir(), Fixture.HASH).apply { mkdirs() }
        // A copy killed half-way.
        File(dir, ".${Fixture.FILE}.123456789.part").writeBytes(asset.copyOf(asset.size / 2))
        // A file cut short under its final name, as after a power loss before its data reached the disk.
        File(dir, Fixture.FILE).writeBytes(asset.copyOf(asset.size / 3))
        val file = extract()
        assertArrayEquals(asset, file.readBytes())
        assertEquals(emptyList<String>(), leftovers())
    }

    @Test
    fun anAssetThatIsNotTheBuildsIsRefused() {
        for (dir in listOf(Fixture.ALTERED_DIR, Fixture.SHORT_DIR)) {
            val e = assertThrows(__EXCEPTION__.LoadFailed::class.java) { extract(dir) }
            assertTrue(e.message, e.message!!.contains("the build wrote"))
            assertFalse(File(modelDir(), "${Fixture.HASH}/${Fixture.FILE}").exists())
            assertEquals(emptyList<String>(), leftovers())
        }
    }

    @Test
    fun aMissingAssetIsAssetMissing() {
        val e = assertThrows(__EXCEPTION__.AssetMissing::class.java) {
            ModelFiles.extract(HostContext(root), Fixture.ASSET_DIR, Fixture.HASH, listOf("absent.bin"))
        }
        assertEquals("${Fixture.ASSET_DIR}/absent.bin", e.asset)
        assertEquals(emptyList<String>(), leftovers())
    }
}
