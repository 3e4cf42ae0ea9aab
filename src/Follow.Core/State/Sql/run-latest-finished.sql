-- Where the stream starts: the slot's consistent point, of the latest finished copy.
SELECT coalesce(stream_from, consistent_point) FROM follow.run WHERE finished_at IS NOT NULL ORDER BY run_id DESC LIMIT 1;
