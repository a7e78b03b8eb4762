// The quorum arithmetic every part agrees on (README "Several LBs"): an election needs promises
// from a majority of the voting clusters, and a write (or a read) is acknowledged only once a
// majority holds it: the leader plus followerAcksNeeded followers. Any two majorities share a
// cluster, which is what makes an election and an acknowledgement of an older epoch exclusive.

/** The smallest number of clusters that is more than half of `voters`. */
export const majorityOf = (voters: number): number => Math.floor(Math.max(voters, 1) / 2) + 1;

/**
 * Followers that must confirm a write (or a read) besides the leader: with three or more voters,
 * enough for a majority (⌊N/2⌋: one of three, two of five). With two, the follower; with one, none.
 * A two-cluster fleet whose follower is gone answers with the weaker durability "leader" (README).
 */
export const followerAcksNeeded = (voters: number): number => Math.max(0, majorityOf(voters) - 1);
