//! Messages: an owned `zmq_msg_t`.

use std::ffi::{CStr, CString};
use std::fmt;
use std::mem::MaybeUninit;
use std::ops::{Deref, DerefMut};
use std::os::raw::{c_int, c_void};
use std::{ptr, slice, str};

use crate::error::{check, Result};

/// Messages up to this size are stored inside the `zmq_msg_t` itself (libzmq's "very small message"), so copying
/// them beats handing over an allocation.
pub(crate) const INLINE_MAX: usize = 33;

/// One ZeroMQ message frame: an owned `zmq_msg_t`.
///
/// It dereferences to its bytes. A message made from a `Vec<u8>`, `Box<[u8]>`, `&'static [u8]` or any owned buffer
/// ([`Message::from_owned`]) hands that buffer to libzmq without copying (`zmq_msg_init_data`); libzmq frees it, from
/// whatever thread drops the last reference.
///
/// # Shared bytes are never written
///
/// Several messages may refer to one buffer: libzmq shares large received messages between the subscribers of a
/// fan-out, [`Message::share`] adds a reference, and over `inproc://` the receiver gets the sender's very buffer —
/// an `Arc` another thread still reads, or a `&'static` slice in read-only memory. Mutable access ([`DerefMut`])
/// therefore first gives the message a private copy whenever its buffer is shared, constant or borrowed from an
/// owner. That fact is kept by libzmq inside the `zmq_msg_t` itself (its `ZMQ_SHARED` property), so it holds
/// whatever path the message took: a socket hop, a ROUTER envelope, [`Message::into_raw`] and back.
///
/// # Threads
///
/// `Message` is `Send` and `Sync`. Nothing reachable through `&Message` changes the libzmq message: [`Clone`] copies
/// the bytes, and the zero-copy [`Message::share`] takes `&mut self`.
///
/// ```
/// let mut msg = zmq::Message::from("hello");
/// assert_eq!(&msg[..], b"hello");
/// assert_eq!(msg.as_str(), Some("hello"));
/// msg[0] = b'j';
/// assert_eq!(msg.as_str(), Some("jello"));
/// ```
pub struct Message {
    msg: zmq_sys::zmq_msg_t,
}

// SAFETY: a zmq_msg_t may be moved to another thread (zmq_msg(7) only forbids concurrent use of one message);
// content buffers are reference counted atomically by libzmq and freed by its callback on any thread, and the
// buffers we hand over (Vec/Box/&'static, `from_owned` owners, which must be `Send`) may be freed on any thread.
unsafe impl Send for Message {}
// SAFETY: every method that takes `&self` only reads the zmq_msg_t: zmq_msg_size, zmq_msg_data, zmq_msg_more,
// zmq_msg_get, zmq_msg_gets, zmq_msg_routing_id and zmq_msg_group read fields and metadata without writing (libzmq
// 4.2-4.3 msg.cpp). `Clone` copies the bytes into a new message instead of calling zmq_msg_copy, which would write
// the source's flags and reference count. Everything that writes (`share`, `DerefMut`, setters, receive) takes
// `&mut self`, so no two threads ever write, or write and read, one zmq_msg_t at once.
unsafe impl Sync for Message {}

impl Drop for Message {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: the message was initialised by a constructor and is closed exactly once, here.
        unsafe { zmq_sys::zmq_msg_close(&mut self.msg) };
    }
}

#[cold]
#[inline(never)]
fn out_of_memory() -> ! {
    panic!("zmq_msg_init_size: out of memory")
}

/// Drops a zero-copy owner on whatever thread libzmq frees the content on (often an I/O thread, inside a C
/// call): a panic in the owner's `Drop` must not unwind into C, which would abort the process. It is contained
/// and counted.
fn drop_owner_in_c<T>(owner: Box<T>) {
    if crate::error::contain(move || drop(owner)).is_none() {
        OWNER_PANICS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
}

static OWNER_PANICS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

unsafe extern "C" fn free_boxed_slice(data: *mut c_void, hint: *mut c_void) {
    // SAFETY: `data` and the length in `hint` come from `Box::into_raw` of a `Box<[u8]>` in `from_boxed`, and libzmq
    // calls this once, when the last reference to the content goes.
    drop(unsafe { Box::from_raw(ptr::slice_from_raw_parts_mut(data as *mut u8, hint as usize)) });
}

impl Message {
    /// Wraps an initialised `zmq_msg_t`.
    #[inline(always)]
    fn from_msg(msg: zmq_sys::zmq_msg_t) -> Message {
        Message { msg }
    }

    /// How many zero-copy owners ([`Message::from_owned`]) have panicked in their `Drop` so far in this process.
    /// Such a panic is caught where libzmq frees the content (it must not unwind into C), reported by the panic
    /// hook as usual, and counted here.
    pub fn owner_drop_panics() -> u64 {
        OWNER_PANICS.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Makes libzmq itself regard the content as shared, so that every later holder of this `zmq_msg_t` — after a
    /// socket hop, `into_raw`/`from_raw` or a ROUTER envelope — copies before writing. libzmq keeps the `shared`
    /// flag of a message until the message is closed or re-initialised (msg.cpp 4.2-4.3), and `ZMQ_SHARED`
    /// reports it.
    fn mark_read_only(&mut self) {
        let mut probe = Message::new();
        // SAFETY: both messages are initialised and exclusively ours. zmq_msg_copy sets the shared flag on
        // `self` (refcount 2), closing `probe` drops the count back to 1 and leaves the flag set.
        unsafe { zmq_sys::zmq_msg_copy(&mut probe.msg, &mut self.msg) };
    }

    /// An empty message. Calls zmq_msg_init(3).
    #[doc(alias = "zmq_msg_init")]
    #[inline]
    pub fn new() -> Message {
        let mut msg = MaybeUninit::<zmq_sys::zmq_msg_t>::uninit();
        // SAFETY: zmq_msg_init always succeeds and fully initialises the struct it is given.
        unsafe {
            zmq_sys::zmq_msg_init(msg.as_mut_ptr());
            Message::from_msg(msg.assume_init())
        }
    }

    /// A message of `len` bytes, all zero. Calls zmq_msg_init_size(3).
    ///
    /// Panics if the memory cannot be allocated, like `Vec::with_capacity`.
    #[doc(alias = "zmq_msg_init_size")]
    pub fn with_size(len: usize) -> Message {
        Message::try_with_size(len).expect("zmq_msg_init_size: out of memory")
    }

    /// A message of `len` bytes whose content is uninitialised.
    #[inline]
    fn alloc(len: usize) -> Result<Message> {
        let mut msg = MaybeUninit::<zmq_sys::zmq_msg_t>::uninit();
        // SAFETY: zmq_msg_init_size initialises the struct on success and returns -1 (ENOMEM) otherwise.
        unsafe {
            check(zmq_sys::zmq_msg_init_size(msg.as_mut_ptr(), len))?;
            Ok(Message::from_msg(msg.assume_init()))
        }
    }

    /// A message of `len` bytes, all zero, or `Err(ENOMEM)` if that much memory cannot be had.
    pub fn try_with_size(len: usize) -> Result<Message> {
        let mut msg = Message::alloc(len)?;
        msg.raw_bytes_mut().fill(0);
        Ok(msg)
    }

    /// A message of `len` bytes with unspecified content (kept for zmq 0.10; use [`Message::with_size`]).
    ///
    /// # Safety
    /// The content must be written before it is read.
    #[deprecated(since = "0.9.1", note = "use `Message::with_size` instead")]
    pub unsafe fn with_capacity_unallocated(len: usize) -> Message {
        Message::alloc(len).expect("zmq_msg_init_size: out of memory")
    }

    /// A zeroed message of `len` bytes (kept for zmq 0.10; use [`Message::with_size`]).
    #[deprecated(since = "0.9.1", note = "use `Message::with_size` instead")]
    pub fn with_capacity(len: usize) -> Message {
        Message::with_size(len)
    }

    /// A message holding a copy of `data` (kept for zmq 0.10; use `Message::from(data)`).
    #[deprecated(since = "0.9.1", note = "use `Message::from(data)` instead")]
    pub fn from_slice(data: &[u8]) -> Message {
        Message::from(data)
    }

    /// A message that refers to `data` without copying it. libzmq treats it as constant: mutable access copies.
    #[doc(alias = "zmq_msg_init_data")]
    pub fn from_static(data: &'static [u8]) -> Message {
        let mut msg = MaybeUninit::<zmq_sys::zmq_msg_t>::uninit();
        // SAFETY: `data` lives forever and is never written through (libzmq flags a message without a free
        // function as constant, so `DerefMut` copies first); with no free function zmq_msg_init_data cannot fail.
        unsafe {
            zmq_sys::zmq_msg_init_data(
                msg.as_mut_ptr(),
                data.as_ptr() as *mut c_void,
                data.len(),
                None,
                ptr::null_mut(),
            );
            Message::from_msg(msg.assume_init())
        }
    }

    #[inline]
    fn copy_of(data: &[u8]) -> Message {
        let mut msg = MaybeUninit::<zmq_sys::zmq_msg_t>::uninit();
        // SAFETY: zmq_msg_init_size initialises the message with `data.len()` writable bytes at zmq_msg_data (or
        // fails with ENOMEM, leaving nothing to free); the copy writes exactly those bytes.
        unsafe {
            if zmq_sys::zmq_msg_init_size(msg.as_mut_ptr(), data.len()) == -1 {
                out_of_memory();
            }
            if !data.is_empty() {
                ptr::copy_nonoverlapping(data.as_ptr(), zmq_sys::zmq_msg_data(msg.as_mut_ptr()) as *mut u8, data.len());
            }
            Message::from_msg(msg.assume_init())
        }
    }

    fn from_boxed(data: Box<[u8]>) -> Message {
        if data.len() <= INLINE_MAX {
            return Message::copy_of(&data);
        }
        let len = data.len();
        let raw = Box::into_raw(data) as *mut u8;
        let mut msg = MaybeUninit::<zmq_sys::zmq_msg_t>::uninit();
        // SAFETY: `raw` owns `len` bytes; ownership passes to libzmq, which calls `free_boxed_slice(raw, len)` once.
        // If zmq_msg_init_data fails (ENOMEM allocating its refcount block) the buffer is still ours: free it.
        unsafe {
            let rc = zmq_sys::zmq_msg_init_data(
                msg.as_mut_ptr(),
                raw as *mut c_void,
                len,
                Some(free_boxed_slice),
                len as *mut c_void,
            );
            if rc == -1 {
                free_boxed_slice(raw as *mut c_void, len as *mut c_void);
                panic!("zmq_msg_init_data: out of memory");
            }
            Message::from_msg(msg.assume_init())
        }
    }

    fn from_vec(data: Vec<u8>) -> Message {
        if data.len() <= INLINE_MAX {
            return Message::copy_of(&data);
        }
        if data.len() == data.capacity() {
            // Exact fit: becomes a Box<[u8]> without reallocating.
            return Message::from_boxed(data.into_boxed_slice());
        }
        // The Vec is the message's alone, so the content may be written in place later.
        Message::with_owner(data)
    }

    /// A message whose content is owned by `owner` (any buffer type: `Vec<u8>`, `Arc<[u8]>`, `bytes::Bytes`, a
    /// memory map, …), without copying. libzmq drops `owner` when the last reference to the content goes, from
    /// whatever thread that happens on. The content is treated as read-only: mutable access copies it first.
    ///
    /// The owner may be dropped on one of libzmq's I/O threads, so it must not own a [`crate::Context`] or
    /// [`crate::Socket`] (terminating a context from its own I/O thread would deadlock).
    ///
    /// ```
    /// let shared: std::sync::Arc<[u8]> = vec![1u8; 4096].into();
    /// let msg = zmq::Message::from_owned(shared.clone());
    /// assert_eq!(msg.as_ptr(), shared.as_ptr());
    /// ```
    ///
    /// A panic in the owner's `Drop` is caught (it cannot unwind through libzmq) and counted by
    /// [`Message::owner_drop_panics`].
    ///
    /// Each call boxes the owner and makes libzmq allocate a reference count for it. To send one buffer many
    /// times, make one message and send a [`Message::share`] of it each time: a reference count increment, no
    /// allocation (data that lives for ever is cheaper still: [`Message::from_static`]).
    ///
    /// ```
    /// let ctx = zmq::Context::new();
    /// let (tx, rx) = (ctx.socket(zmq::PAIR).unwrap(), ctx.socket(zmq::PAIR).unwrap());
    /// rx.bind("inproc://from-owned-doc").unwrap();
    /// tx.connect("inproc://from-owned-doc").unwrap();
    /// let payload: std::sync::Arc<[u8]> = vec![5u8; 1 << 16].into();
    /// let mut template = zmq::Message::from_owned(payload.clone());
    /// for _ in 0..3 {
    ///     tx.send(template.share(), 0).unwrap();
    ///     assert_eq!(rx.recv_msg(0).unwrap().as_ptr(), payload.as_ptr());
    /// }
    /// ```
    #[doc(alias = "zmq_msg_init_data")]
    pub fn from_owned<T>(owner: T) -> Message
    where
        T: AsRef<[u8]> + Send + 'static,
    {
        let mut msg = Message::with_owner(owner);
        msg.mark_read_only();
        msg
    }

    /// A message whose content is `owner`'s bytes, writable in place by whoever holds the message last (only for
    /// owners nobody else can see).
    fn with_owner<T>(owner: T) -> Message
    where
        T: AsRef<[u8]> + Send + 'static,
    {
        unsafe extern "C" fn release<T>(_data: *mut c_void, hint: *mut c_void) {
            // SAFETY: `hint` is the `Box<T>` leaked below; libzmq calls this exactly once.
            drop_owner_in_c(unsafe { Box::from_raw(hint as *mut T) });
        }
        // Boxed so the owner never moves while libzmq points into it.
        let owner = Box::new(owner);
        let (ptr, len) = {
            let bytes = (*owner).as_ref();
            (bytes.as_ptr(), bytes.len())
        };
        let hint = Box::into_raw(owner);
        let mut msg = MaybeUninit::<zmq_sys::zmq_msg_t>::uninit();
        // SAFETY: `ptr[..len]` stays valid and unchanged while the boxed owner lives (AsRef on an owned,
        // unaliased value); libzmq calls `release::<T>(_, hint)` once to drop it; on failure we drop it ourselves.
        // libzmq only reads the content unless the message is private to one holder, which DerefMut checks.
        unsafe {
            let rc = zmq_sys::zmq_msg_init_data(
                msg.as_mut_ptr(),
                ptr as *mut c_void,
                len,
                Some(release::<T>),
                hint as *mut c_void,
            );
            if rc == -1 {
                release::<T>(ptr as *mut c_void, hint as *mut c_void);
                panic!("zmq_msg_init_data: out of memory");
            }
            Message::from_msg(msg.assume_init())
        }
    }

    /// The content's size in bytes. Calls only zmq_msg_size(3) (the slice's `len` would also ask for the data
    /// pointer).
    #[doc(alias = "zmq_msg_size")]
    #[inline]
    pub fn len(&self) -> usize {
        // SAFETY: zmq_msg_size only reads the initialised message.
        unsafe { zmq_sys::zmq_msg_size(&self.msg) }
    }

    /// Whether the message has no content.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The message content as UTF-8, or `None` if it is not.
    pub fn as_str(&self) -> Option<&str> {
        str::from_utf8(self).ok()
    }

    /// Whether more frames of the same multipart message follow this one (`ZMQ_MORE`). Calls zmq_msg_more(3).
    #[doc(alias = "zmq_msg_more")]
    #[inline]
    pub fn get_more(&self) -> bool {
        // SAFETY: zmq_msg_more only reads the initialised message (it takes a non-const pointer for history).
        unsafe { zmq_sys::zmq_msg_more(&self.msg as *const _ as *mut _) != 0 }
    }

    /// Reads an integer message property (`ZMQ_MORE`, `ZMQ_SRCFD`, `ZMQ_SHARED`) with zmq_msg_get(3).
    #[doc(alias = "zmq_msg_get")]
    pub fn get(&self, property: i32) -> Result<i32> {
        // SAFETY: zmq_msg_get only reads the message; unknown properties give EINVAL.
        check(unsafe { zmq_sys::zmq_msg_get(&self.msg as *const _ as *mut _, property as c_int) })
    }

    /// Whether the content may be seen by someone else — shared with other messages, constant
    /// ([`Message::from_static`]) or borrowed from an owner ([`Message::from_owned`]) — so that mutable access
    /// copies it first. Reads libzmq's `ZMQ_SHARED` property.
    pub fn is_shared(&self) -> bool {
        self.get(zmq_sys::ZMQ_SHARED as i32).map(|v| v != 0).unwrap_or(true)
    }

    /// Another message referring to the same content, without copying it: the zero-copy counterpart of
    /// [`Clone`]. Both then count as shared ([`Message::is_shared`]), so writing to either copies first. Keeps
    /// every property (`more`, metadata, routing id, group). Calls zmq_msg_copy(3), which writes to the source
    /// message (its reference count and flags): hence `&mut self`.
    #[doc(alias = "zmq_msg_copy")]
    pub fn share(&mut self) -> Message {
        let mut copy = Message::new();
        // SAFETY: both messages are initialised; `&mut self` gives the exclusive access zmq_msg_copy needs to update
        // the source. It only fails (EFAULT) for uninitialised messages.
        unsafe { zmq_sys::zmq_msg_copy(&mut copy.msg, &mut self.msg) };
        copy
    }

    /// A new message with a private copy of the bytes, the routing id and (if `with_group`) the group; not the
    /// `more` flag or metadata, which libzmq lets no one set.
    fn detached_copy(&self, with_group: bool) -> Message {
        let copy = Message::copy_of(self.raw_bytes());
        #[cfg(zmq_draft)]
        {
            let mut copy = copy;
            if let Some(id) = self.routing_id() {
                let _ = copy.set_routing_id(id);
            }
            if with_group {
                if let Some(group) = self.group_bytes() {
                    let _ = copy.set_group_bytes(group);
                }
            }
            copy
        }
        #[cfg(not(zmq_draft))]
        {
            let _ = with_group;
            copy
        }
    }

    /// A metadata property of a received message (e.g. `"Socket-Type"`, `"Identity"`, `"Peer-Address"`,
    /// `"User-Id"`), as text. `None` if it is absent, the name has a NUL byte, or the value is not UTF-8 (see
    /// [`Message::gets_bytes`]). Calls zmq_msg_gets(3).
    #[doc(alias = "zmq_msg_gets")]
    pub fn gets<'a>(&'a mut self, property: &str) -> Option<&'a str> {
        self.gets_bytes(property).and_then(|b| str::from_utf8(b).ok())
    }

    /// A metadata property as raw bytes (values need not be UTF-8). Calls zmq_msg_gets(3).
    #[doc(alias = "zmq_msg_gets")]
    pub fn gets_bytes(&self, property: &str) -> Option<&[u8]> {
        let name = CString::new(property).ok()?;
        // SAFETY: zmq_msg_gets reads the message's metadata; the returned string is owned by that metadata, which
        // lives at least as long as the message (and so as `&self`), and is never modified.
        unsafe {
            let value = zmq_sys::zmq_msg_gets(&self.msg as *const _ as *mut _, name.as_ptr());
            if value.is_null() {
                None
            } else {
                Some(CStr::from_ptr(value).to_bytes())
            }
        }
    }

    /// The routing id of a message received on a SERVER socket, or set for sending to one (draft API).
    #[cfg(zmq_draft)]
    #[doc(alias = "zmq_msg_routing_id")]
    pub fn routing_id(&self) -> Option<u32> {
        // SAFETY: only reads the message.
        match unsafe { zmq_sys::zmq_msg_routing_id(&self.msg as *const _ as *mut _) } {
            0 => None,
            id => Some(id),
        }
    }

    /// Sets the routing id for sending on a SERVER socket (draft API).
    #[cfg(zmq_draft)]
    #[doc(alias = "zmq_msg_set_routing_id")]
    pub fn set_routing_id(&mut self, routing_id: u32) -> Result<()> {
        // SAFETY: the message is initialised and exclusively borrowed.
        check(unsafe { zmq_sys::zmq_msg_set_routing_id(&mut self.msg, routing_id) }).map(drop)
    }

    /// The group of a message received on a DISH socket, or set for sending on a RADIO socket (draft API).
    /// `None` if there is none or it is not UTF-8.
    #[cfg(zmq_draft)]
    #[doc(alias = "zmq_msg_group")]
    pub fn group(&self) -> Option<&str> {
        self.group_bytes().and_then(|g| str::from_utf8(g).ok())
    }

    #[cfg(zmq_draft)]
    fn group_bytes(&self) -> Option<&[u8]> {
        // SAFETY: zmq_msg_group only reads; the group string is stored in (or owned by) the message and lives as
        // long as it.
        unsafe {
            let g = zmq_sys::zmq_msg_group(&self.msg as *const _ as *mut _);
            if g.is_null() {
                return None;
            }
            Some(CStr::from_ptr(g).to_bytes()).filter(|g| !g.is_empty())
        }
    }

    /// Sets the group for sending on a RADIO socket (draft API; at most 255 bytes, no NUL; a longer one gives
    /// `EINVAL`, where libzmq 4.3 would silently cut it). Calls zmq_msg_set_group(3).
    ///
    /// libzmq 4.3 stores a group of more than 14 bytes in a separate allocation that a second `zmq_msg_set_group`
    /// neither frees nor clears (it leaks it, keeps returning the old group, or corrupts its pointer). So when the
    /// message already has such a group, it is first replaced by a copy of its bytes and routing id without a
    /// group, and the new group is set on that.
    #[cfg(zmq_draft)]
    #[doc(alias = "zmq_msg_set_group")]
    pub fn set_group(&mut self, group: &str) -> Result<()> {
        self.set_group_bytes(group.as_bytes())
    }

    #[cfg(zmq_draft)]
    fn set_group_bytes(&mut self, group: &[u8]) -> Result<()> {
        /// Longest group libzmq keeps inside the message itself (`msg_t::sgroup`).
        const SHORT_GROUP_MAX: usize = 14;
        if group.len() > zmq_sys::ZMQ_GROUP_MAX_LENGTH as usize {
            return Err(crate::Error::EINVAL);
        }
        let group = CString::new(group).map_err(|_| crate::Error::EINVAL)?;
        if self.group_bytes().is_some_and(|g| g.len() > SHORT_GROUP_MAX) {
            *self = self.detached_copy(false);
        }
        // SAFETY: the message is initialised and exclusively borrowed, and has no separately allocated group (see
        // above); libzmq copies the group.
        check(unsafe { zmq_sys::zmq_msg_set_group(&mut self.msg, group.as_ptr()) }).map(drop)
    }

    /// The raw `zmq_msg_t`, for C code. Valid while the message is neither moved nor dropped. (Not `as_ptr`:
    /// through `Deref`, `msg.as_ptr()` is the content's pointer, as with any byte slice.)
    #[inline]
    pub fn as_msg_ptr(&self) -> *const zmq_sys::zmq_msg_t {
        &self.msg
    }

    /// The raw `zmq_msg_t`, mutable, for C code and for libzmq calls.
    #[inline]
    pub fn as_mut_msg_ptr(&mut self) -> *mut zmq_sys::zmq_msg_t {
        &mut self.msg
    }

    /// Moves the raw `zmq_msg_t` out; the caller must `zmq_msg_close` it.
    pub fn into_raw(self) -> zmq_sys::zmq_msg_t {
        let this = std::mem::ManuallyDrop::new(self);
        // SAFETY: `this` is never dropped, so the struct is moved out exactly once.
        unsafe { ptr::read(&this.msg) }
    }

    /// Takes ownership of an initialised raw `zmq_msg_t`.
    ///
    /// # Safety
    /// `msg` must be initialised (by a `zmq_msg_init*` call) and not closed, and nothing else may close it.
    pub unsafe fn from_raw(msg: zmq_sys::zmq_msg_t) -> Message {
        Message::from_msg(msg)
    }

    #[inline]
    fn raw_bytes(&self) -> &[u8] {
        // SAFETY: zmq_msg_data/zmq_msg_size describe the message's content, valid and unchanged while the message
        // is borrowed (it can only change through `&mut self`).
        unsafe {
            let p = &self.msg as *const _ as *mut zmq_sys::zmq_msg_t;
            let len = zmq_sys::zmq_msg_size(p);
            if len == 0 {
                return &[];
            }
            slice::from_raw_parts(zmq_sys::zmq_msg_data(p) as *const u8, len)
        }
    }

    /// The content, writable, *without* the copy-on-write check: only for buffers known to be private.
    #[inline]
    fn raw_bytes_mut(&mut self) -> &mut [u8] {
        // SAFETY: as in raw_bytes; callers guarantee the buffer is not shared, and `&mut self` makes this the only
        // reference.
        unsafe {
            let len = zmq_sys::zmq_msg_size(&self.msg);
            if len == 0 {
                return &mut [];
            }
            slice::from_raw_parts_mut(zmq_sys::zmq_msg_data(&mut self.msg) as *mut u8, len)
        }
    }
}

impl Default for Message {
    fn default() -> Self {
        Message::new()
    }
}

impl Deref for Message {
    type Target = [u8];

    #[inline]
    fn deref(&self) -> &[u8] {
        self.raw_bytes()
    }
}

impl DerefMut for Message {
    /// Writable content. If the buffer is shared with other messages (or constant), this message first gets a
    /// private copy, so no other message changes. The copy does not keep the `more` flag of a received message
    /// (read [`Message::get_more`] before writing).
    fn deref_mut(&mut self) -> &mut [u8] {
        if self.is_shared() {
            *self = self.detached_copy(true);
        }
        self.raw_bytes_mut()
    }
}

impl Clone for Message {
    /// A new message with a copy of the bytes (and, with the draft API, the routing id and group); not the `more`
    /// flag or metadata. It never writes to `self`, which may be shared between threads: for a zero-copy reference
    /// to the same buffer use [`Message::share`].
    fn clone(&self) -> Message {
        self.detached_copy(true)
    }
}

impl AsRef<[u8]> for Message {
    fn as_ref(&self) -> &[u8] {
        self
    }
}

impl PartialEq for Message {
    fn eq(&self, other: &Message) -> bool {
        self[..] == other[..]
    }
}

impl Eq for Message {}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // As zmq 0.10 prints it: the bytes as a slice, on one line.
        write!(f, "{:?}", &self[..])
    }
}

impl<'a> From<&'a [u8]> for Message {
    /// Copies the bytes.
    #[inline]
    fn from(data: &'a [u8]) -> Message {
        Message::copy_of(data)
    }
}

impl<const N: usize> From<[u8; N]> for Message {
    /// Copies the bytes.
    fn from(data: [u8; N]) -> Message {
        Message::copy_of(&data)
    }
}

impl From<Vec<u8>> for Message {
    /// Takes the buffer without copying (small messages are copied inline, which is cheaper).
    #[inline]
    fn from(data: Vec<u8>) -> Message {
        Message::from_vec(data)
    }
}

impl From<Box<[u8]>> for Message {
    /// Takes the buffer without copying (small messages are copied inline, which is cheaper).
    fn from(data: Box<[u8]>) -> Message {
        Message::from_boxed(data)
    }
}

impl<'a> From<&'a str> for Message {
    /// Copies the text.
    #[inline]
    fn from(data: &'a str) -> Message {
        Message::copy_of(data.as_bytes())
    }
}

impl From<String> for Message {
    /// Takes the text's buffer without copying.
    fn from(data: String) -> Message {
        Message::from_vec(data.into_bytes())
    }
}

impl<'a, T> From<&'a T> for Message
where
    T: Into<Message> + Clone,
{
    /// Converts a clone of the value.
    fn from(v: &'a T) -> Message {
        v.clone().into()
    }
}
