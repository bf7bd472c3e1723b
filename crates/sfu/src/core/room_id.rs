//! The key of a room on its shard.

slotmap::new_key_type! {
    /// A room on its shard: a copyable key, so that the media path never
    /// clones or hashes the room's name. Keys of removed rooms are not reused.
    pub struct RoomId;
}
