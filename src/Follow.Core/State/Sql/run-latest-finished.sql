-- Where the stream starts: the consistent point of the latest finished copy.
SELECT consistent_point FROM follow.run WHERE finished_at IS NOT NULL ORDER BY run_id DESC LIMIT 1;
