fn softmax(row: &[f32], classes: usize) -> Vec<f32> {
    (0..classes).map(|i| row[i].exp()).collect()
}

fn main() {
    eprintln!("debug: starting");
    let out = softmax(&[1.0, 2.0], 3);
    println!("{:?}", out);
}
