//! A small, bounded pool for CPU-heavy work: password hashing, reading
//! uploaded spreadsheets, rendering PDFs.
//!
//! Such work must never run on the async workers (one slow hash there delays
//! every request and every signaling message on that worker), and it must
//! not be able to exhaust the machine either: tokio's own blocking pool
//! grows to 512 threads, so a flood of password guesses would start 512
//! argon2 runs at once. Here at most `threads` jobs run, at most `queue` more
//! wait, and everything beyond that is refused at once with
//! [`CpuError::Busy`] — the caller answers "try again later" (HTTP 503).
//!
//! Rate limits are recorded *before* a job is submitted, so a refused or
//! queued job has already been counted.

use std::sync::Arc;

use tokio::sync::Semaphore;

/// Why a job did not run to its end.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CpuError {
    /// Every thread is busy and the queue is full: refused without running.
    #[error("the server is busy; try again in a moment")]
    Busy,
    /// The job panicked (a bug; the pool itself carries on).
    #[error("the job failed")]
    Panicked,
}

/// See the module docs.
#[derive(Debug, Clone)]
pub struct CpuPool {
    /// Jobs admitted: running plus waiting.
    admitted: Arc<Semaphore>,
    /// Jobs running.
    running: Arc<Semaphore>,
}

impl CpuPool {
    /// At most `threads` jobs at once and `queue` waiting behind them.
    pub fn new(threads: usize, queue: usize) -> Self {
        let threads = threads.max(1);
        Self {
            admitted: Arc::new(Semaphore::new(threads + queue)),
            running: Arc::new(Semaphore::new(threads)),
        }
    }

    /// The pool a server uses: one thread per core, and a queue of 32 per
    /// thread (a burst of logins at 8 a.m. waits, a flood is refused).
    pub fn for_this_machine() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self::new(cores, 32 * cores)
    }

    /// Run `job` on a blocking thread once a slot is free. Refused at once
    /// with [`CpuError::Busy`] when the pool and its queue are full.
    ///
    /// Dropping the returned future before the job started gives its place
    /// back; once started, the job holds its slot until it ends, so
    /// cancelled requests cannot make the pool run more than `threads`.
    pub async fn run<T, F>(&self, job: F) -> Result<T, CpuError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let admitted = self
            .admitted
            .clone()
            .try_acquire_owned()
            .map_err(|_| CpuError::Busy)?;
        let running = self
            .running
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| CpuError::Busy)?;
        tokio::task::spawn_blocking(move || {
            let _slots = (admitted, running);
            job()
        })
        .await
        .map_err(|_| CpuError::Panicked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn never_runs_more_than_its_threads_and_refuses_beyond_its_queue() {
        let pool = CpuPool::new(2, 3);
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let mut jobs = Vec::new();
        for _ in 0..10 {
            let (pool, running, most) = (pool.clone(), running.clone(), most.clone());
            jobs.push(tokio::spawn(async move {
                pool.run(move || {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(50));
                    running.fetch_sub(1, Ordering::SeqCst);
                })
                .await
            }));
            // Let each submission reach the pool before the next.
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        let mut done = 0;
        let mut busy = 0;
        for job in jobs {
            match job.await.unwrap() {
                Ok(()) => done += 1,
                Err(CpuError::Busy) => busy += 1,
                Err(e) => panic!("unexpected {e:?}"),
            }
        }
        assert_eq!(most.load(Ordering::SeqCst), 2, "at most 2 at once");
        assert_eq!(done, 5, "2 running and 3 queued were admitted");
        assert_eq!(busy, 5, "the rest were refused at once");
        // Slots come back: the pool works again afterwards.
        assert_eq!(pool.run(|| 7).await, Ok(7));
    }

    #[tokio::test]
    async fn a_panicking_job_is_an_error_and_frees_its_slot() {
        let pool = CpuPool::new(1, 0);
        assert_eq!(
            pool.run(|| panic!("bug")).await,
            Err::<(), _>(CpuError::Panicked)
        );
        assert_eq!(pool.run(|| 1).await, Ok(1));
    }
}
