using System.Runtime.InteropServices;

namespace Milad.Native;

/// <summary>Opaque handles: a managed object kept alive by a GCHandle until its _free.</summary>
internal static class Handles
{
    public static nint New(object target) => GCHandle.ToIntPtr(GCHandle.Alloc(target));

    public static T Get<T>(nint handle, string what) where T : class
    {
        if (handle == 0) throw new InputException($"the {what} handle is NULL");
        return GCHandle.FromIntPtr(handle).Target as T ?? throw new InputException($"the handle is not a {what}");
    }

    /// <summary>Frees a handle; NULL or a handle that is not one does nothing (a _free function never fails).</summary>
    public static void Free(nint handle)
    {
        try { if (handle != 0) GCHandle.FromIntPtr(handle).Free(); }
        catch (Exception) { /* a bad handle: nothing to free */ }
    }
}
