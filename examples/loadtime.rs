use std::time::Instant;
fn main() {
    let conn = rusqlite::Connection::open("/tmp/mappatu-bench-1000000/mappatu.sqlite3").unwrap();
    for (label, sql) in [
        ("plain", "SELECT s.id, s.name, s.description_it FROM services s WHERE s.status = 'published' ORDER BY s.id"),
        ("agg ordered", "SELECT s.id, (SELECT string_agg(category, ',' ORDER BY position) FROM service_categories WHERE service_id = s.id) FROM services s WHERE s.status = 'published' ORDER BY s.id"),
        ("agg unordered", "SELECT s.id, (SELECT group_concat(category, ',') FROM service_categories WHERE service_id = s.id) FROM services s WHERE s.status = 'published' ORDER BY s.id"),
        ("json", "SELECT s.id, (SELECT json_group_array(category) FROM service_categories WHERE service_id = s.id) FROM services s WHERE s.status = 'published' ORDER BY s.id"),
        ("no status filter", "SELECT s.id, s.name, s.description_it FROM services s ORDER BY s.id"),
    ] {
        let t = Instant::now();
        let mut st = conn.prepare(sql).unwrap();
        let mut rows = st.query([]).unwrap();
        let mut n = 0usize;
        while let Some(r) = rows.next().unwrap() { let _: i64 = r.get(0).unwrap(); n += 1; }
        println!("{label}: {n} in {:?}", t.elapsed());
    }
}
