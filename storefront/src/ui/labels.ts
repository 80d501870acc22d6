/** A category as shoppers read it: "home-office" -> "Home office" (category_title in handlers/pages/html.py). */
export function categoryLabel(slug: string): string {
  const words = slug.replace(/-/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1).toLowerCase();
}
